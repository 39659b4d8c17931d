"""Per-article signals and the pair features the combiner weighs.

An article is reduced once to compact arrays (term weights, title terms, name and number keys), so
a story window of 100,000 stories holds them in numpy rather than Python dicts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from anyascii import anyascii

from monitor.stories.names import name_keys, number_keys, spelled_keys
from monitor.stories.places import countries
from monitor.stories.textprep import title_of
from monitor.stories.tokens import token_id, words
from monitor.watch.normalize import arabic_term_key, is_arabic

# Languages of the dev pairs: a per-language bias lets one threshold serve languages whose annotators
# (and writers) differ, e.g. Turkish wants a higher bar. Other languages get no bias.
BIAS_LANGUAGES = ("ar", "de", "en", "es", "fr", "pl", "tr")
FEATURES = ("cos", "title_cos", "lex", "stems", "grams", "title", "names", "numbers", "cross", "cross_cos",
            "cross_names", "script_names",
            *(f"lang_{lang}" for lang in BIAS_LANGUAGES))
_TERMS = 96  # strongest terms kept per article
_GRAMS = 256  # strongest character 4-grams kept (they catch Turkish and German word forms)
_GRAM_CHARS = 3000
_STEM = 5  # characters of a word kept as its stem: "Regierung"/"Regierungs", "kovid"/"kovide" meet
_LEX_CHARS = 6000  # the lexical signal reads this much text (cheap, unlike the embedding)
_DF_BUCKETS = 1 << 16
_RARE_DOCS = 2  # words in at most this many reference articles count as name candidates
_NAME_SCALE = 4.0  # shared skeleton weight (length - 2) at which the name evidence reaches 1 - 1/e
_EMPTY = np.zeros(0, dtype=np.uint32)
_ARABIC_CLITICS = "وبلف"  # one-letter prefixes: "and", "with", "for", "so"


class DocFrequency:
    """Hashed document frequencies from a reference set of news articles (shipped, 128 KB)."""

    def __init__(self, counts: np.ndarray, n_docs: int) -> None:
        self._counts = counts
        self._idf = np.log((n_docs + 1) / (counts.astype(np.float64) + 1)).astype(np.float32) + 1.0

    @classmethod
    def load(cls, path: Path, n_docs: int) -> DocFrequency:
        return cls(np.load(path), n_docs)

    @classmethod
    def fit(cls, texts: list[str], tokens_of: Callable[[str], list[str]] = words) -> tuple[np.ndarray, int]:
        counts = np.zeros(_DF_BUCKETS, dtype=np.int64)
        for text in texts:
            tokens = tokens_of(text)
            ids = np.unique(np.array([token_id(w) for w in tokens], dtype=np.uint32) % _DF_BUCKETS)
            counts[ids] += 1
        return np.minimum(counts, 65535).astype(np.uint16), len(texts)

    def idf(self, ids: np.ndarray) -> np.ndarray:
        out: np.ndarray = self._idf[ids % _DF_BUCKETS]
        return out

    def is_rare(self, word: str) -> bool:
        """In at most a couple of reference articles (a share would flag all of a rarely seen script)."""
        return int(self._counts[token_id(word) % _DF_BUCKETS]) <= _RARE_DOCS


@dataclass(frozen=True)
class Frequencies:
    """Document frequencies of words, word stems and character 4-grams (shipped beside the weights)."""

    words: DocFrequency
    stems: DocFrequency
    grams: DocFrequency

    @classmethod
    def fit(cls, texts: list[str]) -> tuple[Frequencies, dict[str, np.ndarray], int]:
        """Fitted from reference texts; also returns the raw counts per kind (what gets shipped)."""
        counts = {kind: DocFrequency.fit(texts, tokens_of)[0] for kind, tokens_of in TOKENIZERS.items()}
        n_docs = len(texts)
        return cls(**{k: DocFrequency(c, n_docs) for k, c in counts.items()}), counts, n_docs


@dataclass(frozen=True)
class Signals:
    """What pair scoring needs of one article, besides its vector."""

    language: str | None
    script: str  # "latin", "arabic", "devanagari", ...: names across scripts are judged apart
    term_ids: np.ndarray  # uint32, sorted
    term_weights: np.ndarray  # float32, L2-normalised tf-idf
    stem_ids: np.ndarray  # the same over word stems (inflected forms meet)
    stem_weights: np.ndarray
    gram_ids: np.ndarray
    gram_weights: np.ndarray
    title_ids: np.ndarray
    title_weights: np.ndarray
    names: np.ndarray  # uint32 ids of consonant skeletons, sorted
    name_weights: np.ndarray  # float32: longer skeletons are less likely to match by chance
    pool: np.ndarray  # names and the skeletons of all words of uncased scripts, sorted
    numbers: np.ndarray
    published: datetime | None
    places: frozenset[str] = frozenset()  # countries the title names (places.py)


def char_grams(text: str) -> list[str]:
    joined = " ".join(words(text[:_GRAM_CHARS]))
    return [joined[i:i + 4] for i in range(len(joined) - 3)]


def stems_of(tokens: list[str]) -> list[str]:
    """The first letters of each word; Arabic words lose their article and clitics first."""
    out = []
    for word in tokens:
        if is_arabic(word):
            word = arabic_term_key(word)
            if len(word) > 4 and word[0] in _ARABIC_CLITICS:
                word = word[1:]
        out.append(word[:_STEM])
    return out


def word_stems(text: str) -> list[str]:
    return stems_of(words(text[:_LEX_CHARS]))


TOKENIZERS: dict[str, Callable[[str], list[str]]] = {"words": words, "stems": word_stems, "grams": char_grams}


def _tfidf(tokens: list[str], df: DocFrequency, keep: int) -> tuple[np.ndarray, np.ndarray]:
    if not tokens:
        return _EMPTY, np.zeros(0, dtype=np.float32)
    tally = Counter(tokens)  # hash each distinct token once, not every occurrence
    ids = np.fromiter(map(token_id, tally), dtype=np.uint32, count=len(tally))
    ids, inverse = np.unique(ids, return_inverse=True)  # (merges the rare crc32 collisions)
    counts = np.bincount(inverse, weights=np.fromiter(tally.values(), dtype=np.float64, count=len(tally)))
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


def signal_text(title: str, text: str) -> str:
    """What the lexical and name signals read: the title (or first prose line) and the text's start."""
    return title_of(title, text) + "\n" + text[:_LEX_CHARS]


@dataclass(frozen=True)
class SignalSource:
    """All that an article's signals are computed from: a window member's signals are computed from
    it when the member is first scored, not when the window is loaded (most never are)."""

    title: str  # resolved (title_of)
    lead: str  # the text's first _LEX_CHARS characters
    language: str | None
    published: datetime | None
    places: frozenset[str]  # countries the title names: a story's, read before its members are scored


def signal_source(title: str, text: str, language: str | None, published: datetime | None) -> SignalSource:
    title = title_of(title, text)
    return SignalSource(title, text[:_LEX_CHARS], language, published, countries(title))


def signals(title: str, text: str, language: str | None, published: datetime | None,
            freq: Frequencies) -> Signals:
    return signals_from(signal_source(title, text, language, published), freq)


def signals_from(source: SignalSource, freq: Frequencies) -> Signals:
    title, language, published = source.title, source.language, source.published
    head = title + "\n" + source.lead  # = signal_text(title, text)
    tokens = words(head)
    term_ids, term_weights = _tfidf(tokens, freq.words, _TERMS)
    stem_ids, stem_weights = _tfidf(stems_of(tokens), freq.stems, _TERMS)
    gram_ids, gram_weights = _tfidf(char_grams(head), freq.grams, _GRAMS)
    title_ids, title_weights = _tfidf([anyascii(w) for w in words(title)], freq.words, 32)
    names, name_weights = _name_arrays(name_keys(head, lambda w: freq.words.is_rare(w.casefold())))
    pool = np.union1d(names, _key_ids(spelled_keys(head)))
    return Signals(language, script_of(head), term_ids, term_weights, stem_ids, stem_weights, gram_ids,
                   gram_weights, title_ids, title_weights, names, name_weights, pool,
                   _key_ids(number_keys(head)), published, source.places)


def _dot(ids_a: np.ndarray, w_a: np.ndarray, ids_b: np.ndarray, w_b: np.ndarray) -> float:
    _, ia, ib = np.intersect1d(ids_a, ids_b, assume_unique=True, return_indices=True)
    return float(np.dot(w_a[ia], w_b[ib]))


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) == 0 or len(b) == 0:
        return 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / float(np.sqrt(len(a) * len(b)))


_SCRIPTS = ((0x0041, 0x024F, "latin"), (0x0370, 0x03FF, "greek"), (0x0400, 0x04FF, "cyrillic"),
            (0x0590, 0x05FF, "hebrew"), (0x0600, 0x06FF, "arabic"), (0x0900, 0x097F, "devanagari"),
            (0x0E00, 0x0E7F, "thai"), (0x3040, 0x9FFF, "cjk"))
_CASED_SCRIPTS = {"latin", "greek", "cyrillic"}


_LETTER = re.compile(r"[^\W\d_]")
_SCRIPT_LETTERS = [(name, re.compile(f"[{chr(lo)}-{chr(hi)}]")) for lo, hi, name in _SCRIPTS]


def script_of(text: str) -> str:
    """The script most letters of the text's first 500 characters belong to."""
    letters = "".join(_LETTER.findall(text[:500]))
    if not letters:
        return ""
    counts = {name: len(pattern.findall(letters)) for name, pattern in _SCRIPT_LETTERS}
    counts["other"] = len(letters) - sum(counts.values())
    return max(counts, key=counts.__getitem__)


def _shared_names(a: Signals, b: Signals) -> float:
    """Saturating evidence from names one article carries and the other spells (the bridge across scripts).

    A name of either side counts when the other side has it as a name or, in a script without
    capital letters, as any word; each key counts once, by its length.
    """
    # Between two scripts without case, names are only guessed by rarity on both sides: both must
    # hold the key as a name, and three-consonant skeletons (which collide by chance) do not count.
    uncased = a.script not in _CASED_SCRIPTS and b.script not in _CASED_SCRIPTS
    floor = 2.0 if uncased else 1.0
    weight: dict[int, float] = {}
    for x, y in ((a, b), (b, a)):
        other = y.names if uncased else y.pool
        _, ix, _ = np.intersect1d(x.names, other, assume_unique=True, return_indices=True)
        weight.update(zip(x.names[ix].tolist(), x.name_weights[ix].tolist(), strict=True))
    total = sum(w for w in weight.values() if w >= floor)
    return 1.0 - float(np.exp(-total / _NAME_SCALE))


def pair_features(a: Signals, b: Signals, cos: float, title_cos: float | None = None) -> np.ndarray:
    """The FEATURES row for one pair: `cos` and `title_cos` are the mean-centred cosines of the lead
    and of the title embeddings (a vector stored before titles were embedded has none: the lead's
    cosine stands in)."""
    cross = float(a.language is not None and b.language is not None and a.language != b.language)
    same = a.language if not cross else None
    return np.array([
        cos,
        cos if title_cos is None else title_cos,
        _dot(a.term_ids, a.term_weights, b.term_ids, b.term_weights),
        _dot(a.stem_ids, a.stem_weights, b.stem_ids, b.stem_weights),
        _dot(a.gram_ids, a.gram_weights, b.gram_ids, b.gram_weights),
        _dot(a.title_ids, a.title_weights, b.title_ids, b.title_weights),
        _overlap(a.names, b.names),
        _overlap(a.numbers, b.numbers),
        cross,
        cross * cos,
        _shared_names(a, b) if cross and a.script == b.script else 0.0,
        _shared_names(a, b) if cross and a.script != b.script else 0.0,
        *(float(same == lang) for lang in BIAS_LANGUAGES),
    ], dtype=np.float64)


def days_apart(a: Signals, b: Signals) -> float | None:
    if a.published is None or b.published is None:
        return None
    return abs((a.published - b.published).total_seconds()) / 86400.0
