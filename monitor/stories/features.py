"""Per-article signals and the pair features the combiner weighs.

An article is reduced once to compact arrays (term weights, title terms, name and number keys), so
a story window of 100,000 stories holds them in numpy rather than Python dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from anyascii import anyascii

from monitor.stories.names import name_keys, number_keys
from monitor.stories.tokens import token_id, words

FEATURES = ("cos", "lex", "title", "names", "numbers", "cross", "cross_cos")
_TERMS = 96  # strongest terms kept per article
_LEX_CHARS = 6000  # the lexical signal reads this much text (cheap, unlike the embedding)
_DF_BUCKETS = 1 << 16
_RARE_IDF = 3.0  # uncased-script words rarer than this count as name candidates
_EMPTY = np.zeros(0, dtype=np.uint32)


class DocFrequency:
    """Hashed document frequencies from a reference set of news articles (shipped, 128 KB)."""

    def __init__(self, counts: np.ndarray, n_docs: int) -> None:
        self._idf = np.log((n_docs + 1) / (counts.astype(np.float64) + 1)).astype(np.float32) + 1.0

    @classmethod
    def load(cls, path: Path, n_docs: int) -> DocFrequency:
        return cls(np.load(path), n_docs)

    @classmethod
    def fit(cls, texts: list[str]) -> tuple[np.ndarray, int]:
        counts = np.zeros(_DF_BUCKETS, dtype=np.int64)
        for text in texts:
            ids = np.unique(np.array([token_id(w) for w in words(text)], dtype=np.uint32) % _DF_BUCKETS)
            counts[ids] += 1
        return np.minimum(counts, 65535).astype(np.uint16), len(texts)

    def idf(self, ids: np.ndarray) -> np.ndarray:
        return self._idf[ids % _DF_BUCKETS]

    def is_rare(self, word: str) -> bool:
        return float(self._idf[token_id(word) % _DF_BUCKETS]) >= _RARE_IDF


@dataclass(frozen=True)
class Signals:
    """What pair scoring needs of one article, besides its vector."""

    language: str | None
    term_ids: np.ndarray  # uint32, sorted
    term_weights: np.ndarray  # float32, L2-normalised tf-idf
    title_ids: np.ndarray
    title_weights: np.ndarray
    names: np.ndarray  # uint32 ids of consonant skeletons, sorted
    numbers: np.ndarray
    published: datetime | None


def _tfidf(tokens: list[str], df: DocFrequency, keep: int) -> tuple[np.ndarray, np.ndarray]:
    if not tokens:
        return _EMPTY, np.zeros(0, dtype=np.float32)
    ids, counts = np.unique(np.array([token_id(t) for t in tokens], dtype=np.uint32), return_counts=True)
    weights = (1.0 + np.log(counts)) * df.idf(ids)
    if len(ids) > keep:
        top = np.sort(np.argpartition(-weights, keep)[:keep])
        ids, weights = ids[top], weights[top]
    weights = weights / max(float(np.linalg.norm(weights)), 1e-9)
    return ids, weights.astype(np.float32)


def _key_ids(keys: frozenset[str]) -> np.ndarray:
    return np.unique(np.array([token_id(k) for k in keys], dtype=np.uint32)) if keys else _EMPTY


def signals(title: str, text: str, language: str | None, published: datetime | None,
            df: DocFrequency) -> Signals:
    body = text[:_LEX_CHARS]
    term_ids, term_weights = _tfidf(words(title + "\n" + body), df, _TERMS)
    title_ids, title_weights = _tfidf([anyascii(w) for w in words(title)], df, 32)
    head = title + "\n" + body
    names = name_keys(head, lambda w: df.is_rare(w.casefold()))
    return Signals(language, term_ids, term_weights, title_ids, title_weights,
                   _key_ids(names), _key_ids(number_keys(head)), published)


def _dot(ids_a: np.ndarray, w_a: np.ndarray, ids_b: np.ndarray, w_b: np.ndarray) -> float:
    _, ia, ib = np.intersect1d(ids_a, ids_b, assume_unique=True, return_indices=True)
    return float(np.dot(w_a[ia], w_b[ib]))


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) == 0 or len(b) == 0:
        return 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / float(np.sqrt(len(a) * len(b)))


def pair_features(a: Signals, b: Signals, cos: float) -> np.ndarray:
    """The FEATURES row for one pair; `cos` is the mean-centred embedding cosine."""
    cross = float(a.language is not None and b.language is not None and a.language != b.language)
    return np.array([
        cos,
        _dot(a.term_ids, a.term_weights, b.term_ids, b.term_weights),
        _dot(a.title_ids, a.title_weights, b.title_ids, b.title_weights),
        _overlap(a.names, b.names),
        _overlap(a.numbers, b.numbers),
        cross,
        cross * cos,
    ], dtype=np.float64)


def days_apart(a: Signals, b: Signals) -> float | None:
    if a.published is None or b.published is None:
        return None
    return abs((a.published - b.published).total_seconds()) / 86400.0
