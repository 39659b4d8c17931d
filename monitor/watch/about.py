"""Topic by meaning: an `about` description compared with each article's embedding.

Raw cosines of small multilingual models are cramped: with multilingual-e5-small any two news texts
score 0.72-0.80 and the articles of the story described 0.81-0.89, and where that band sits moves
with the description. So each description is calibrated once, at load: its cosines against a bundled
set of generic news sentences (`reference.txt`, many topics and languages) give a mean and spread,
and an article's score is how many standard deviations its cosine lies above that mean. Measured on
the five seed articles against 600 unrelated SemEval-2022 articles (docs/watchlists.md): seeds
3.5-7.4, unrelated at most 2.2-2.9, so the default threshold is 3.2.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from monitor.watch.model import About

if TYPE_CHECKING:
    from monitor.stories.embedding import Embedder

ARTICLE_CHARS = 1000  # title + this much text is embedded when an article has no stored vector


def reference_sentences() -> list[str]:
    text = resources.files("monitor.watch").joinpath("reference.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


class AboutCalibrator:
    """Embeds `about` descriptions and calibrates them; the reference set is embedded once, on first use."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._reference: np.ndarray | None = None

    def reference(self) -> np.ndarray:
        if self._reference is None:
            self._reference = self.embedder.embed(reference_sentences(), kind="passage")
        return self._reference

    def build(self, texts: Sequence[str], threshold: float) -> About:
        vectors = np.asarray(self.embedder.embed(list(texts), kind="query"), dtype=np.float32)
        baseline = self.reference() @ vectors.T  # (n_reference, n_texts)
        spread = np.maximum(baseline.std(axis=0), 1e-6)
        return About(texts=tuple(texts), vectors=vectors, threshold=threshold,
                     embedder_name=self.embedder.name, mean=baseline.mean(axis=0), spread=spread)


def about_score(about: About, vector: np.ndarray) -> tuple[float, int, float]:
    """(calibrated score, index of the best description, its raw cosine) for one article vector."""
    cosines = about.vectors @ vector
    scores = (cosines - about.mean) / about.spread
    best = int(np.argmax(scores))
    return float(scores[best]), best, float(cosines[best])


def article_text(title: str, text: str) -> str:
    return f"{title}\n{text[:ARTICLE_CHARS]}".strip()
