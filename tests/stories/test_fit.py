import numpy as np
import pytest

from monitor.stories.fit import best_threshold, cross_validate, f1, fit_logistic, pearson, predict, roc_auc


def test_logistic_recovers_the_direction_of_a_signal():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((400, 2))
    y = 1 / (1 + np.exp(-(3 * x[:, 0] - 0.5)))  # soft labels driven by feature 0 only
    w, b = fit_logistic(x, y, l2=0.01)
    assert w[0] == pytest.approx(3.0, abs=0.3) and abs(w[1]) < 0.3 and b == pytest.approx(-0.5, abs=0.3)
    assert pearson(predict(x, w, b), y) > 0.99


def test_auc_and_f1_on_known_cases():
    scores = np.array([0.9, 0.8, 0.3, 0.2])
    assert roc_auc(scores, np.array([True, True, False, False])) == 1.0
    assert roc_auc(scores, np.array([False, False, True, True])) == 0.0
    assert roc_auc(np.array([0.5, 0.5]), np.array([True, False])) == 0.5
    assert f1(scores, np.array([True, False, True, False]), 0.5) == pytest.approx(0.5)
    assert best_threshold(scores, np.array([True, True, False, False])) == pytest.approx(0.8)


def test_cross_validation_predicts_every_pair_out_of_fold():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((200, 1))
    score = np.clip(2.5 - 1.2 * x[:, 0] + 0.3 * rng.standard_normal(200), 1, 4)
    oof, thresholds = cross_validate(x, score, groups=np.arange(200) // 2, k=5)
    assert len(thresholds) == 5 and oof.shape == (200,)
    assert pearson(oof, 5 - score) > 0.8
