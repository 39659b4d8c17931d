"""Stories: one event across outlets and languages (fingerprints, embeddings, online assignment).

Names are imported on first use, so reading the settings (`monitor.config`) does not pull in numpy,
usearch and the story engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "load_embedder": "monitor.stories.embedders",
    "StoryEngine": "monitor.stories.engine",
    "ArticleInput": "monitor.stories.records",
    "Assignment": "monitor.stories.records",
}
__all__ = ["ArticleInput", "Assignment", "StoryEngine", "load_embedder"]

if TYPE_CHECKING:
    from monitor.stories.embedders import load_embedder
    from monitor.stories.engine import StoryEngine
    from monitor.stories.records import ArticleInput, Assignment


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'monitor.stories' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
