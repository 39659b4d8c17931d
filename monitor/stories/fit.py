"""Fitting the combiner: ridge-regularised logistic regression on soft labels, in numpy, with CV.

The gold "Overall" score (1 = same story .. 4 = unrelated) becomes a soft target (4 - score) / 3,
so one small model serves both the correlation (Pearson) and the yes/no decision (threshold).
"""

from __future__ import annotations

import numpy as np


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 50) -> tuple[np.ndarray, float]:
    """Newton's method on the cross-entropy with soft targets y in [0, 1]; returns (weights, bias)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    reg = np.full(xb.shape[1], l2)
    reg[-1] = 0.0  # the bias is not shrunk
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(xb @ w)))
        grad = xb.T @ (p - y) + reg * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(reg) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.max(np.abs(step))) < 1e-8:
            break
    return w[:-1], float(w[-1])


def predict(x: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-(x @ weights + bias)))
    return out


def soft_target(score: np.ndarray) -> np.ndarray:
    return np.clip((4.0 - score) / 3.0, 0.0, 1.0)


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 2 or np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Probability a random positive outranks a random negative (ties count half)."""
    pos, neg = scores[positive], scores[~positive]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order))
    ranks[order] = np.arange(1, len(order) + 1)
    allv = np.concatenate([pos, neg])
    for value in np.unique(allv):  # average ranks of ties
        same = allv == value
        if same.sum() > 1:
            ranks[same] = ranks[same].mean()
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def f1(scores: np.ndarray, positive: np.ndarray, threshold: float | np.ndarray) -> float:
    said = scores >= threshold
    tp = float(np.sum(said & positive))
    if tp == 0:
        return 0.0
    return 2 * tp / (float(np.sum(said)) + float(np.sum(positive)))


def best_threshold(scores: np.ndarray, positive: np.ndarray) -> float:
    candidates = np.unique(np.round(scores, 3))
    values = [f1(scores, positive, t) for t in candidates]
    return float(candidates[int(np.argmax(values))])


def folds(n: int, k: int, seed: int = 7) -> list[np.ndarray]:
    return list(np.array_split(np.random.default_rng(seed).permutation(n), k))


def cross_validate(x: np.ndarray, score: np.ndarray, groups: np.ndarray | None = None, k: int = 5,
                   l2: float = 1.0, seed: int = 7, cut: float = 1.5) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold similarities and thresholds. `groups` keeps pairs sharing an article in one fold."""
    n = len(x)
    if groups is None:
        parts = folds(n, k, seed)
    else:
        uniq = np.unique(groups)
        assign = {g: i % k for i, g in enumerate(np.random.default_rng(seed).permutation(uniq))}
        fold_of = np.array([assign[g] for g in groups])
        parts = [np.flatnonzero(fold_of == i) for i in range(k)]
    out = np.zeros(n)
    thresholds = []
    for test in parts:
        train = np.setdiff1d(np.arange(n), test)
        w, b = fit_logistic(x[train], soft_target(score[train]), l2)
        out[test] = predict(x[test], w, b)
        thresholds.append(best_threshold(predict(x[train], w, b), score[train] <= cut))
    return out, np.array(thresholds)


def fit_time_penalty(logits: np.ndarray, days: np.ndarray, same: np.ndarray, grace: float) -> float:
    """Logits lost per day apart beyond `grace`, fitted on dated pairs: logistic on (logit, excess days)."""
    x = np.column_stack([logits, np.maximum(0.0, days - grace)])
    w, _ = fit_logistic(x, same.astype(float), l2=0.01)
    return max(0.0, -float(w[1]) / float(w[0]))


def cost_threshold(scores: np.ndarray, same: np.ndarray, merge_cost: float) -> float:
    """The threshold that maximises same pairs joined minus `merge_cost` per different pair joined
    (the middle of the best plateau, on a 0.01 grid). Pairs between the classes are left out before."""
    grid = np.round(np.arange(0.30, 0.951, 0.01), 2)
    joined = [scores >= t for t in grid]
    utility = np.array([np.sum(j & same) - merge_cost * np.sum(j & ~same) for j in joined])
    best = np.flatnonzero(utility == utility.max())
    return float(grid[best[len(best) // 2]])
