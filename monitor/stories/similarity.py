"""Pair similarity in 0..1: the fitted combiner over embedding, lexical, name, number and title signals.

Coefficients, the reference mean vectors per embedder (of leads and of titles), the shipped threshold
and the document frequencies come from `coefficients.json` (written by scripts/fit_combiner.py)
beside this module.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from monitor.errors import ConfigError
from monitor.stories.features import (
    FEATURES,
    DocFrequency,
    Frequencies,
    Signals,
    SignalSource,
    days_apart,
    pair_features,
    signals_from,
)
from monitor.stories.features import signals as article_signals
from monitor.stories.thresholds import Thresholds

SHIPPED = Path(__file__).with_name("coefficients.json")


@dataclass(frozen=True)
class Combiner:
    """Logistic combiner: similarity = sigmoid(w . features + b - time penalty)."""

    weights: np.ndarray
    bias: float
    threshold: float
    mean_vector: np.ndarray | None  # subtracted before cosines (spreads e5's cramped cosines)
    title_mean_vector: np.ndarray | None
    grace_days: float = 1.0
    penalty_per_day: float = 0.0

    def logit(self, features: np.ndarray, days: float | None) -> np.ndarray:
        z: np.ndarray = features @ self.weights + self.bias
        if days is not None and days > self.grace_days:
            z = z - self.penalty_per_day * (days - self.grace_days)
        return z

    def score(self, features: np.ndarray, days: float | None = None) -> float:
        return sigmoid(float(self.logit(features, days)))


def sigmoid(z: float) -> float:
    """The logistic function without overflow: articles years apart give logits far below -700."""
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


class Similarity:
    """Turns articles into signals and pairs into a 0..1 similarity; holds no per-article state."""

    def __init__(self, combiner: Combiner, frequencies: Frequencies, lead_chars: int,
                 thresholds: Thresholds | None = None) -> None:
        self.combiner = combiner
        self.frequencies = frequencies
        self.lead_chars = lead_chars
        self.thresholds = thresholds or Thresholds.uniform(combiner.threshold)

    @property
    def threshold(self) -> float:
        return self.combiner.threshold

    def signals(self, title: str, text: str, language: str | None, published: datetime | None) -> Signals:
        return article_signals(title, text, language, published, self.frequencies)

    def signals_from(self, source: SignalSource) -> Signals:
        return signals_from(source, self.frequencies)

    def centre(self, vectors: np.ndarray, titles: bool = False) -> np.ndarray:
        """Subtract the reference mean (of leads, or of titles) and re-normalise (rows)."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        mean = self.combiner.title_mean_vector if titles else self.combiner.mean_vector
        if mean is not None and vectors.shape[1] == len(mean):
            vectors = vectors - mean
        out: np.ndarray = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        return out

    def score(self, a: Signals, b: Signals, cos: float, title_cos: float | None = None) -> float:
        return self.combiner.score(pair_features(a, b, cos, title_cos), days_apart(a, b))


def load_similarity(embedder_name: str, path: str | None = None,
                    threshold: float | None = None) -> Similarity:
    """The shipped (or a refitted) combiner for `embedder_name`; other models get the default's weights."""
    file = Path(path) if path else SHIPPED
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read story coefficients: {exc}", file=str(file)) from exc
    models = data["models"]
    entry = models.get(embedder_name) or {**models[data["default_model"]], "mean_vector": None,
                                          "title_mean_vector": None}
    if tuple(entry["features"]) != FEATURES:
        raise ConfigError("coefficients were fitted for other features; refit them", file=str(file))
    lead_mean, title_mean = (np.asarray(entry[key], dtype=np.float32) if entry.get(key) else None
                             for key in ("mean_vector", "title_mean_vector"))
    default = float(threshold if threshold is not None else entry["threshold"])
    combiner = Combiner(np.asarray(entry["weights"], dtype=np.float64), float(entry["bias"]), default,
                        lead_mean, title_mean,
                        float(data["time"]["grace_days"]), float(data["time"]["penalty_per_day"]))
    fitted = entry.get("thresholds")
    # A user's threshold applies to every pair; an alerted story still demands the fitted strong fit.
    thresholds = (Thresholds.from_entry(default, fitted) if threshold is None else
                  Thresholds.uniform(default, (fitted or {}).get("alerted")))
    n_docs = int(data["df"]["n_docs"])
    frequencies = Frequencies(**{kind: DocFrequency.load(file.with_name(name), n_docs)
                                 for kind, name in data["df"]["files"].items()})
    return Similarity(combiner, frequencies, int(entry.get("lead_chars", 400)), thresholds)
