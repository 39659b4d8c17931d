"""Pair similarity in 0..1: the fitted combiner over embedding, lexical, name, number and title signals.

Coefficients, the reference mean vector per embedder, the shipped threshold and the document
frequencies come from `coefficients.json` (written by scripts/fit_combiner.py) beside this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from monitor.errors import ConfigError
from monitor.stories.features import FEATURES, DocFrequency, Signals, days_apart, pair_features, signals

SHIPPED = Path(__file__).with_name("coefficients.json")


@dataclass(frozen=True)
class Combiner:
    """Logistic combiner: similarity = sigmoid(w . features + b - time penalty)."""

    weights: np.ndarray
    bias: float
    threshold: float
    mean_vector: np.ndarray | None  # subtracted before cosines (spreads e5's cramped cosines)
    grace_days: float = 1.0
    penalty_per_day: float = 0.0

    def logit(self, features: np.ndarray, days: float | None) -> np.ndarray:
        z = features @ self.weights + self.bias
        if days is not None and days > self.grace_days:
            z = z - self.penalty_per_day * (days - self.grace_days)
        return z

    def score(self, features: np.ndarray, days: float | None = None) -> float:
        return float(1.0 / (1.0 + np.exp(-self.logit(features, days))))


class Similarity:
    """Turns articles into signals and pairs into a 0..1 similarity; holds no per-article state."""

    def __init__(self, combiner: Combiner, df: DocFrequency, gram_df: DocFrequency, lead_chars: int) -> None:
        self.combiner = combiner
        self.df = df
        self.gram_df = gram_df
        self.lead_chars = lead_chars

    @property
    def threshold(self) -> float:
        return self.combiner.threshold

    def signals(self, title: str, text: str, language: str | None, published: datetime | None) -> Signals:
        return signals(title, text, language, published, self.df, self.gram_df)

    def centre(self, vectors: np.ndarray) -> np.ndarray:
        """Subtract the reference mean and re-normalise (rows)."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        if self.combiner.mean_vector is not None and vectors.shape[1] == len(self.combiner.mean_vector):
            vectors = vectors - self.combiner.mean_vector
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)

    def score(self, a: Signals, b: Signals, cos: float) -> float:
        return self.combiner.score(pair_features(a, b, cos), days_apart(a, b))


def load_similarity(embedder_name: str, path: str | None = None,
                    threshold: float | None = None) -> Similarity:
    """The shipped (or a refitted) combiner for `embedder_name`; other models get the default's weights."""
    file = Path(path) if path else SHIPPED
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read story coefficients: {exc}", file=str(file)) from exc
    models = data["models"]
    entry = models.get(embedder_name) or {**models[data["default_model"]], "mean_vector": None}
    if tuple(entry["features"]) != FEATURES:
        raise ConfigError("coefficients were fitted for other features; refit them", file=str(file))
    mean = np.asarray(entry["mean_vector"], dtype=np.float32) if entry.get("mean_vector") else None
    combiner = Combiner(np.asarray(entry["weights"], dtype=np.float64), float(entry["bias"]),
                        float(threshold if threshold is not None else entry["threshold"]), mean,
                        float(data["time"]["grace_days"]), float(data["time"]["penalty_per_day"]))
    n_docs = int(data["df"]["n_docs"])
    df = DocFrequency.load(file.with_name(data["df"]["file"]), n_docs)
    gram_df = DocFrequency.load(file.with_name(data["df"]["grams_file"]), n_docs)
    return Similarity(combiner, df, gram_df, int(entry.get("lead_chars", 400)))
