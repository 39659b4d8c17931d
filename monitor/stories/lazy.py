"""An embedder that loads its model on first use: only some callers (an `about` watchlist) need one,
and loading takes seconds and a few hundred MB."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from monitor.stories.embedders import load_embedder

if TYPE_CHECKING:
    import numpy as np

    from monitor.stories.embedding import Embedder, EmbedKind
    from monitor.stories.settings import StorySettings


class LazyEmbedder:
    """Loads the configured model when first asked for a vector (or its name or size)."""

    def __init__(self, settings: StorySettings) -> None:
        self._settings = settings
        self._model: Embedder | None = None
        self._lock = threading.Lock()  # the web console may ask from two threads at once

    def _loaded(self) -> Embedder:
        with self._lock:
            if self._model is None:
                self._model = load_embedder(self._settings)
            return self._model

    @property
    def name(self) -> str:
        return self._loaded().name

    @property
    def dim(self) -> int:
        return self._loaded().dim

    def embed(self, texts: Sequence[str], kind: EmbedKind = "passage") -> np.ndarray:
        return self._loaded().embed(texts, kind=kind)
