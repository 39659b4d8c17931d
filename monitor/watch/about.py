"""Topic by meaning: an `about` description compared with each article's embedding.

Raw cosines of small multilingual models are cramped: with multilingual-e5-small any two news texts
score 0.72-0.80 and the articles of the story described 0.81-0.89, and where that band sits moves
with the description. So each description is calibrated once, at load: its cosines against a bundled
set of generic news sentences (`reference.txt`, many topics and languages) give a mean and spread,
and an article's score is how many standard deviations its cosine lies above that mean. Measured
(docs/watchlists.md, bench/watch_about.py): the five seed articles score 3.8-6.4 against their
description, 600 unrelated articles at most 2.5; with 150 SemEval-2022 headlines as descriptions,
the default threshold 3.5 finds 86% of the same-story articles at 0.6% false positives.

e5 is asymmetric: the description is embedded as a "query" and the article as a "passage". The
stories stage stores a "query" vector per article (symmetric, for clustering); compared with the
description it separates the topic worse (seeds 2.5-5.4, unrelated up to 3.4), so it only serves as
a cheap pre-filter (calibrated the same way, margin PREFILTER_MARGIN) before the passage embedding.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from monitor.watch.model import About, AboutVectors, Calibration

if TYPE_CHECKING:
    from monitor.stories.embedding import Embedder, EmbedKind

ARTICLE_CHARS = 400  # title + this much text is embedded as the article's passage
PREFILTER_MARGIN = 1.25  # a stored vector must reach threshold - margin before the passage is embedded


def reference_sentences() -> list[str]:
    text = resources.files("monitor.watch").joinpath("reference.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


class AboutCalibrator:
    """Embeds `about` descriptions and calibrates them; the reference set is embedded once, on first use."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._reference: dict[str, np.ndarray] = {}

    def reference(self, kind: EmbedKind) -> np.ndarray:
        if kind not in self._reference:
            self._reference[kind] = self.embedder.embed(reference_sentences(), kind=kind)
        return self._reference[kind]

    def build(self, texts: Sequence[str], threshold: float) -> About:
        """The descriptions, embedded and calibrated when first compared with an article."""
        return About(texts=tuple(texts), threshold=threshold, embed=lambda: self._embed(texts))

    def _embed(self, texts: Sequence[str]) -> AboutVectors:
        vectors = np.asarray(self.embedder.embed(list(texts), kind="query"), dtype=np.float32)
        return AboutVectors(vectors=vectors, passage=_calibrate(self.reference("passage"), vectors),
                            stored=_calibrate(self.reference("query"), vectors))


def _calibrate(reference: np.ndarray, vectors: np.ndarray) -> Calibration:
    baseline = reference @ vectors.T  # (n_reference, n_descriptions)
    return Calibration(mean=baseline.mean(axis=0), spread=np.maximum(baseline.std(axis=0), 1e-6))


def about_score(about: About, vector: np.ndarray) -> tuple[float, int, float]:
    """(calibrated score, index of the best description, its raw cosine) for an article's passage vector."""
    scores = about.passage.scores(about.vectors, vector)
    best = int(np.argmax(scores))
    return float(scores[best]), best, float(about.vectors[best] @ vector)


def passes_prefilter(about: About, stored: np.ndarray) -> bool:
    """Whether an article's stored ("query") vector is close enough to be worth a passage embedding."""
    return float(about.stored.scores(about.vectors, stored).max()) >= about.threshold - PREFILTER_MARGIN


def article_text(title: str, text: str) -> str:
    return f"{title}\n{text[:ARTICLE_CHARS]}".strip()
