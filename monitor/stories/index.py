"""Nearest-vector search by inner product over unit vectors, keyed by int.

Below `brute_force_below` vectors a numpy matrix product is exact and faster than a graph; past
it the index moves once into usearch (HNSW), which keeps a query well under a millisecond with
100,000 stories in the window.
"""

from __future__ import annotations

import numpy as np
from usearch.index import Index


class VectorIndex:
    def __init__(self, dim: int, brute_force_below: int = 5_000) -> None:
        self.dim = dim
        self._limit = brute_force_below
        self._rows = np.zeros((256, dim), dtype=np.float32)
        self._row_keys = np.full(256, -1, dtype=np.int64)
        self._row_of: dict[int, int] = {}
        self._free: list[int] = []
        self._graph: Index | None = None

    def __len__(self) -> int:
        return len(self._graph) if self._graph is not None else len(self._row_of)

    def __contains__(self, key: int) -> bool:
        return key in self._graph if self._graph is not None else key in self._row_of

    def upsert(self, key: int, vector: np.ndarray) -> None:
        vector = np.asarray(vector, dtype=np.float32).reshape(self.dim)
        if self._graph is not None:
            if key in self._graph:
                self._graph.remove(key)
            self._graph.add(key, vector)
            return
        row = self._row_of.get(key)
        if row is None:
            row = self._free.pop() if self._free else self._grow_row()
            self._row_of[key] = row
            self._row_keys[row] = key
        self._rows[row] = vector
        if len(self._row_of) >= self._limit > 0:
            self._to_graph()

    def remove(self, key: int) -> None:
        if self._graph is not None:
            if key in self._graph:
                self._graph.remove(key)
            return
        row = self._row_of.pop(key, None)
        if row is not None:
            self._row_keys[row] = -1
            self._free.append(row)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Up to k (key, inner product) pairs, best first."""
        if len(self) == 0:
            return []
        vector = np.asarray(vector, dtype=np.float32).reshape(self.dim)
        if self._graph is not None:
            found = self._graph.search(vector, min(k, len(self._graph)), threads=1)
            return [(int(key), 1.0 - float(d)) for key, d in zip(found.keys, found.distances, strict=True)]
        used = len(self._row_of) + len(self._free)
        sims = self._rows[:used] @ vector
        sims[self._row_keys[:used] < 0] = -np.inf
        k = min(k, len(self._row_of))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        return [(int(self._row_keys[i]), float(sims[i])) for i in top]

    def _grow_row(self) -> int:
        used = len(self._row_of) + len(self._free)
        if used == len(self._rows):
            self._rows = np.vstack([self._rows, np.zeros_like(self._rows)])
            self._row_keys = np.concatenate([self._row_keys, np.full(used, -1, dtype=np.int64)])
        return used

    def _to_graph(self) -> None:
        graph = Index(ndim=self.dim, metric="ip", dtype="f16")  # half the memory; cosines to ~1e-3
        keys = np.array(list(self._row_of), dtype=np.uint64)
        graph.add(keys, self._rows[[self._row_of[int(k)] for k in keys]])
        self._graph = graph
        self._rows = np.zeros((0, self.dim), dtype=np.float32)
        self._row_keys = np.zeros(0, dtype=np.int64)
        self._row_of.clear()
        self._free.clear()
