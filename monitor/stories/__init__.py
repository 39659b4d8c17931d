"""Stories: one event across outlets and languages (fingerprints, embeddings, online assignment)."""

from monitor.stories.embedders import load_embedder
from monitor.stories.engine import StoryEngine
from monitor.stories.records import ArticleInput, Assignment

__all__ = ["ArticleInput", "Assignment", "StoryEngine", "load_embedder"]
