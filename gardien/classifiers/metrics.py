"""The metrics the published anchors use (macro-F1, macro-recall) and calibration error."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray


def _classes(y: NDArray[np.int64], p: NDArray[np.int64]) -> list[int]:
    return sorted(set(y.tolist()) | set(p.tolist()))


def macro_f1(truth: ArrayLike, predicted: ArrayLike) -> float:
    """Unweighted mean of per-class F1 (classes present in truth or predictions)."""
    y, p = np.asarray(truth), np.asarray(predicted)
    scores = []
    for c in _classes(y, p):
        tp = float(np.sum((p == c) & (y == c)))
        denominator = float(np.sum(p == c) + np.sum(y == c))
        scores.append(2 * tp / denominator if denominator else 0.0)
    return float(np.mean(scores)) if scores else 0.0


def macro_recall(truth: ArrayLike, predicted: ArrayLike) -> float:
    """Unweighted mean of per-class recall (SemEval-17 4A's official metric)."""
    y, p = np.asarray(truth), np.asarray(predicted)
    return float(np.mean([np.mean(p[y == c] == c) for c in sorted(set(y.tolist()))]))


def ece(probabilities: ArrayLike, truth: Sequence[int] | ArrayLike, bins: int = 10) -> float:
    """Expected calibration error over equal-width bins.

    Binary: P(positive) against the positive frequency. Multi-class: top-label confidence against
    accuracy.
    """
    probs = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(truth)
    if probs.ndim == 2 and probs.shape[1] > 1:
        confidence, hit = probs.max(axis=1), (probs.argmax(axis=1) == y)
    else:
        confidence, hit = probs.reshape(-1), (y == 1)
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.mean() * abs(confidence[inside].mean() - hit[inside].mean())
    return float(total)


def roc_auc(truth: ArrayLike, scores: ArrayLike) -> float:
    """The chance a random positive scores above a random negative (ties count half): how well
    a model ranks, whatever its threshold. On a small set it moves less than F1 at a threshold
    does between two builds of equal validation. Pairwise, so for small sets only."""
    y = np.asarray(truth).astype(bool)
    s = np.asarray(scores, dtype=np.float64)
    pos, neg = s[y][:, None], s[~y][None, :]
    if not pos.size or not neg.size:
        return float("nan")
    wins = float((pos > neg).sum()) + 0.5 * float((pos == neg).sum())
    return wins / (pos.size * neg.size)
