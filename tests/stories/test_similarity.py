"""The shipped combiner on pairs far apart in time: a tiny similarity, never an overflow warning."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime

from monitor.stories.similarity import load_similarity, sigmoid


def test_sigmoid_is_finite_and_silent_at_the_extremes() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sigmoid(-1000.0) == 0.0
        assert sigmoid(1000.0) == 1.0
        assert abs(sigmoid(0.0) - 0.5) < 1e-12


def test_articles_decades_apart_score_near_zero_without_a_runtime_warning() -> None:
    similarity = load_similarity("e5-small")
    text = "Fighting at Baghouz: the Syrian Democratic Forces say the last Daesh enclave will fall soon."
    old = similarity.signals("Baghouz", text, "en", datetime(1990, 1, 1, tzinfo=UTC))
    new = similarity.signals("Baghouz", text, "en", datetime(2026, 1, 1, tzinfo=UTC))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's "overflow encountered in exp" is a RuntimeWarning
        score = similarity.score(old, new, cos=0.9, title_cos=0.9)
    assert 0.0 <= score < 1e-6
