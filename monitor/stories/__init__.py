"""Stories: one event across outlets and languages (fingerprints, embeddings, online assignment)."""

from monitor.stories.embedders import load_embedder
from monitor.stories.engine import StoryEngine
from monitor.stories.records import ArticleInput, Assignment, StoredItem

__all__ = ["ArticleInput", "Assignment", "StoredItem", "StoryEngine", "load_embedder"]
