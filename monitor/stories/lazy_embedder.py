"""The configured embedder, loaded on first use; this module imports neither numpy nor a model, so a
process that only polls and delivers can hold one (the backends are in embedders.py)."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from monitor.stories.settings import StorySettings

if TYPE_CHECKING:
    import numpy as np

    from monitor.stories.embedding import Embedder, EmbedKind


def embedder_name(settings: StorySettings) -> str:
    """The name stored beside vectors, known without loading the model."""
    if settings.embedder == "sentence-transformers":
        return f"st:{os.path.basename(os.path.normpath(settings.model or ''))}"
    return settings.embedder


class LazyEmbedder:
    """The configured embedder, loaded on first use: a cycle whose feeds bring nothing new, and the
    commands that embed nothing, never load the model (about 100 MB and a second of start-up)."""

    def __init__(self, settings: StorySettings) -> None:
        self.settings = settings
        self.name = embedder_name(settings)
        self._model: Embedder | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def model(self) -> Embedder:
        from monitor.stories.embedders import load_embedder  # numpy and the backends, on first use

        with self._lock:  # the stories and match jobs may ask at once
            if self._model is None:
                self._model = load_embedder(self.settings)
        return self._model

    @property
    def dim(self) -> int:
        """Known without loading the bundled models (the story window sizes its index by it)."""
        from monitor.stories.embedders import KNOWN_DIMS

        known = KNOWN_DIMS.get(self.settings.embedder)
        return known if known is not None else self.model().dim

    def embed(self, texts: Sequence[str], kind: EmbedKind = "passage") -> np.ndarray:
        return self.model().embed(texts, kind=kind)
