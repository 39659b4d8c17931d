"""A compiled watchlist: what the loader builds once and the matcher applies to every story."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.alerts.policy import WatchlistDelivery
from monitor.content.language import normalize_lang
from monitor.watch.query.compiler import Matcher, SeqMatcher

if TYPE_CHECKING:
    import numpy as np  # in annotations only: loading watchlists needs no numpy


@dataclass(frozen=True, eq=False)
class WeightedTerm:
    term: str
    weight: float
    matcher: SeqMatcher


@dataclass(frozen=True, eq=False)
class Calibration:
    """Each description's cosine with the generic reference sentences: mean and standard deviation."""

    mean: np.ndarray  # (n_descriptions,)
    spread: np.ndarray

    def scores(self, vectors: np.ndarray, article: np.ndarray) -> np.ndarray:
        scores: np.ndarray = (vectors @ article - self.mean) / self.spread
        return scores


@dataclass(frozen=True, eq=False)
class AboutVectors:
    vectors: np.ndarray  # (n, dim) float32, L2-normalised, embedded as "query"
    passage: Calibration  # for articles embedded as "passage" (what decides)
    stored: Calibration  # for the stories' stored vectors, embedded as "query" (a cheap pre-filter)


@dataclass(frozen=True, eq=False)
class About:
    """Topic by meaning: descriptions embedded on first use (so loading a watchlist loads no model),
    then compared with each article's vector."""

    texts: tuple[str, ...]
    threshold: float  # in standard deviations above the description's similarity to generic news
    embed: Callable[[], AboutVectors] = field(repr=False)

    @cached_property
    def embedded(self) -> AboutVectors:
        return self.embed()

    @property
    def vectors(self) -> np.ndarray:
        return self.embedded.vectors

    @property
    def passage(self) -> Calibration:
        return self.embedded.passage

    @property
    def stored(self) -> Calibration:
        return self.embedded.stored


@dataclass(frozen=True, eq=False)
class Watchlist:
    name: str
    channels: tuple[str, ...]
    delivery: WatchlistDelivery
    file: Path | None = None
    terms: tuple[SeqMatcher, ...] = ()  # any of these
    query: Matcher | None = None
    query_text: str = ""
    weighted: tuple[WeightedTerm, ...] = ()
    threshold: float = 1.0  # for the weighted score
    exclude: tuple[SeqMatcher, ...] = ()
    about: About | None = None
    languages: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()  # feed names, or "tag:NAME"
    min_sources: int = 1
    min_languages: int = 1

    def accepts_source(self, source: str, tags: tuple[str, ...], language: str | None) -> bool:
        """The per-article filters: language and source/tag lists (empty = any)."""
        if self.languages and normalize_lang(language) not in self.languages:
            return False
        if not self.sources:
            return True
        return source in self.sources or any(f"tag:{t}" in self.sources for t in tags)
