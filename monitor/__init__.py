"""news-monitor: polls news feeds, links one story across outlets and languages, and alerts once."""

__version__ = "0.1.0"
