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

from monitor.stories.names import name_keys, number_keys, spelled_keys
from monitor.stories.textprep import title_of
from monitor.stories.tokens import token_id, words

# Languages of the dev pairs: a per-language bias lets one threshold serve languages whose annotators
# (and writers) differ, e.g. Turkish wants a higher bar. Other languages get no bias.
BIAS_LANGUAGES = ("ar", "de", "en", "es", "fr", "pl", "tr")
FEATURES = ("cos", "lex", "grams", "title", "names", "numbers", "cross", "cross_cos", "cross_names",
            *(f"lang_{lang}" for lang in BIAS_LANGUAGES))
_TERMS = 96  # strongest terms kept per article
_GRAMS = 256  # strongest character 4-grams kept (they catch Turkish and German word forms)
_GRAM_CHARS = 3000
_LEX_CHARS = 6000  # the lexical signal reads this much text (cheap, unlike the embedding)
_DF_BUCKETS = 1 << 16
_RARE_DOCS = 2  # words in at most this many reference articles count as name candidates
_NAME_SCALE = 4.0  # shared skeleton weight (length - 2) at which the name evidence reaches 1 - 1/e
_EMPTY = np.zeros(0, dtype=np.uint32)


class DocFrequency:
    """Hashed document frequencies from a reference set of news articles (shipped, 128 KB)."""

    def __init__(self, counts: np.ndarray, n_docs: int) -> None:
        self._counts = counts
        self._idf = np.log((n_docs + 1) / (counts.astype(np.float64) + 1)).astype(np.float32) + 1.0

    @classmethod
    def load(cls, path: Path, n_docs: int) -> DocFrequency:
        return cls(np.load(path), n_docs)

    @classmethod
    def fit(cls, texts: list[str], grams: bool = False) -> tuple[np.ndarray, int]:
        counts = np.zeros(_DF_BUCKETS, dtype=np.int64)
        for text in texts:
            tokens = char_grams(text) if grams else words(text)
            ids = np.unique(np.array([token_id(w) for w in tokens], dtype=np.uint32) % _DF_BUCKETS)
            counts[ids] += 1
        return np.minimum(counts, 65535).astype(np.uint16), len(texts)

    def idf(self, ids: np.ndarray) -> np.ndarray:
        return self._idf[ids % _DF_BUCKETS]

    def is_rare(self, word: str) -> bool:
        """In at most a couple of reference articles (a share would flag all of a rarely seen script)."""
        return int(self._counts[token_id(word) % _DF_BUCKETS]) <= _RARE_DOCS


@dataclass(frozen=True)
class Signals:
    """What pair scoring needs of one article, besides its vector."""

    language: str | None
    term_ids: np.ndarray  # uint32, sorted
    term_weights: np.ndarray  # float32, L2-normalised tf-idf
    gram_ids: np.ndarray
    gram_weights: np.ndarray
    title_ids: np.ndarray
    title_weights: np.ndarray
    names: np.ndarray  # uint32 ids of consonant skeletons, sorted
    name_weights: np.ndarray  # float32: longer skeletons are less likely to match by chance
    spelled: np.ndarray  # skeleton ids of all words of uncased scripts, sorted
    numbers: np.ndarray
    published: datetime | None


def char_grams(text: str) -> list[str]:
    joined = " ".join(words(text[:_GRAM_CHARS]))
    return [joined[i:i + 4] for i in range(len(joined) - 3)]


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


def _name_arrays(keys: frozenset[str]) -> tuple[np.ndarray, np.ndarray]:
    weight = {token_id(k): float(len(k) - 2) for k in keys}
    ids = np.array(sorted(weight), dtype=np.uint32)
    return ids, np.array([weight[int(i)] for i in ids], dtype=np.float32)


def signals(title: str, text: str, language: str | None, published: datetime | None,
            df: DocFrequency, gram_df: DocFrequency) -> Signals:
    title = title_of(title, text)
    body = text[:_LEX_CHARS]
    term_ids, term_weights = _tfidf(words(title + "\n" + body), df, _TERMS)
    gram_ids, gram_weights = _tfidf(char_grams(title + "\n" + body), gram_df, _GRAMS)
    title_ids, title_weights = _tfidf([anyascii(w) for w in words(title)], df, 32)
    head = title + "\n" + body
    names, name_weights = _name_arrays(name_keys(head, lambda w: df.is_rare(w.casefold())))
    return Signals(language, term_ids, term_weights, gram_ids, gram_weights, title_ids, title_weights,
                   names, name_weights, _key_ids(spelled_keys(head)), _key_ids(number_keys(head)), published)


def _dot(ids_a: np.ndarray, w_a: np.ndarray, ids_b: np.ndarray, w_b: np.ndarray) -> float:
    _, ia, ib = np.intersect1d(ids_a, ids_b, assume_unique=True, return_indices=True)
    return float(np.dot(w_a[ia], w_b[ib]))


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) == 0 or len(b) == 0:
        return 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / float(np.sqrt(len(a) * len(b)))


def _shared_names(a: Signals, b: Signals) -> float:
    """Saturating evidence from names one article carries and the other spells (the bridge across scripts).

    A name of either side counts when the other side has it as a name or, in a script without
    capital letters, as any word; each key counts once, by its length.
    """
    weight = {}
    for x, y in ((a, b), (b, a)):
        other = np.union1d(y.names, y.spelled)
        _, ix, _ = np.intersect1d(x.names, other, assume_unique=True, return_indices=True)
        weight.update(zip(x.names[ix].tolist(), x.name_weights[ix].tolist(), strict=True))
    return 1.0 - float(np.exp(-sum(weight.values()) / _NAME_SCALE))


def pair_features(a: Signals, b: Signals, cos: float) -> np.ndarray:
    """The FEATURES row for one pair; `cos` is the mean-centred embedding cosine."""
    cross = float(a.language is not None and b.language is not None and a.language != b.language)
    same = a.language if not cross else None
    return np.array([
        cos,
        _dot(a.term_ids, a.term_weights, b.term_ids, b.term_weights),
        _dot(a.gram_ids, a.gram_weights, b.gram_ids, b.gram_weights),
        _dot(a.title_ids, a.title_weights, b.title_ids, b.title_weights),
        _overlap(a.names, b.names),
        _overlap(a.numbers, b.numbers),
        cross,
        cross * cos,
        cross * _shared_names(a, b) if cross else 0.0,
        *(float(same == lang) for lang in BIAS_LANGUAGES),
    ], dtype=np.float64)


def days_apart(a: Signals, b: Signals) -> float | None:
    if a.published is None or b.published is None:
        return None
    return abs((a.published - b.published).total_seconds()) / 86400.0
