"""Topic by meaning: an `about` description compared with each article's embedding.

Raw cosines of small multilingual models are cramped: with multilingual-e5-small any two news texts
score 0.72-0.80 and the articles of the story described 0.81-0.89, and where that band sits moves
with the description. So each description is calibrated once, at load: its cosines against a bundled
set of generic news sentences (`reference.txt`, many topics and languages) give a mean and spread,
and an article's score is how many standard deviations its cosine lies above that mean (the set's
vectors ship for the default model). Measured (docs/watchlists.md, bench/watch_about.py): the five
seed articles score 3.8-6.4 against their description, 600 unrelated articles at most 2.5; with 150
SemEval-2022 headlines as descriptions, the default threshold 3.5 finds 86% of the same-story articles
at 0.6% false positives.

e5 is asymmetric: the description is embedded as a "query" and the article as a "passage". The
stories stage stores a "query" vector per article (symmetric, for clustering); compared with the
description it separates the topic worse (seeds 2.5-5.4, unrelated up to 3.4), so it only serves as
a cheap pre-filter (calibrated the same way, margin PREFILTER_MARGIN) before the passage embedding.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from monitor.watch.model import About, AboutVectors, Calibration

if TYPE_CHECKING:
    from monitor.stories.embedding import Embedder, EmbedKind

ARTICLE_CHARS = 400  # title + this much text is embedded as the article's passage
PREFILTER_MARGIN = 1.25  # a stored vector must reach threshold - margin before the passage is embedded
# The reference set embedded once for these models and shipped (scripts/embed_reference.py): embedding
# it costs every process with an `about` list about 1.6 s of CPU with e5-small.
SHIPPED_REFERENCE_MODELS = ("e5-small",)
KINDS: tuple[EmbedKind, ...] = ("query", "passage")  # the order of the shipped array's first axis


def reference_sentences() -> list[str]:
    text = resources.files("monitor.watch").joinpath("reference.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def shipped_reference_name(embedder_name: str) -> str:
    """The file of `embedder_name`'s reference vectors for the reference set as it is now: an edited
    reference.txt names another file, so stale vectors are never read."""
    digest = hashlib.sha256("\n".join(reference_sentences()).encode("utf-8")).hexdigest()[:12]
    return f"reference-{embedder_name}-{digest}.npy"


def shipped_reference(embedder_name: str) -> dict[EmbedKind, np.ndarray] | None:
    """The shipped reference vectors of `embedder_name` by kind, or None when none are shipped."""
    if embedder_name not in SHIPPED_REFERENCE_MODELS:
        return None
    shipped = resources.files("monitor.watch").joinpath(shipped_reference_name(embedder_name))
    if not shipped.is_file():
        return None
    with shipped.open("rb") as fh:
        vectors = np.load(fh)
    if vectors.ndim != 3 or vectors.shape[:2] != (len(KINDS), len(reference_sentences())):
        return None
    return {kind: np.ascontiguousarray(vectors[k], dtype=np.float32) for k, kind in enumerate(KINDS)}


class AboutCalibrator:
    """Embeds `about` descriptions and calibrates them; the reference set is shipped embedded for the
    default model, and embedded once, on first use, for any other."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._reference: dict[EmbedKind, np.ndarray] = shipped_reference(embedder.name) or {}

    def reference(self, kind: EmbedKind, dim: int) -> np.ndarray:
        """The reference set's vectors of `kind`; shipped ones only when the model's vectors have their
        `dim` (a name is what the config says, the vectors are what the model gives)."""
        if kind not in self._reference or self._reference[kind].shape[1] != dim:
            self._reference[kind] = self.embedder.embed(reference_sentences(), kind=kind)
        return self._reference[kind]

    def build(self, texts: Sequence[str], threshold: float) -> About:
        """The descriptions, embedded and calibrated when first compared with an article."""
        return About(texts=tuple(texts), threshold=threshold, embed=lambda: self._embed(texts))

    def _embed(self, texts: Sequence[str]) -> AboutVectors:
        vectors = np.asarray(self.embedder.embed(list(texts), kind="query"), dtype=np.float32)
        dim = vectors.shape[1]
        return AboutVectors(vectors=vectors, passage=_calibrate(self.reference("passage", dim), vectors),
                            stored=_calibrate(self.reference("query", dim), vectors))


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
