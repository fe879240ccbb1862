"""The metrics the evaluation prints, on cases small enough to check by hand."""

from __future__ import annotations

import math

from gardien.classifiers.metrics import macro_f1, roc_auc


def test_auc_counts_the_pairs_a_model_ranks_right() -> None:
    assert roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert roc_auc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1]) == 0.0
    # pairs (positive, negative): 0.7 > 0.2, 0.7 > 0.5, 0.5 = 0.5 (half), 0.5 > 0.2 → 3.5 / 4
    assert roc_auc([0, 0, 1, 1], [0.2, 0.5, 0.5, 0.7]) == 0.875
    assert math.isnan(roc_auc([1, 1], [0.3, 0.4]))


def test_macro_f1_averages_both_classes() -> None:
    assert macro_f1([0, 1, 1, 0], [0, 1, 1, 0]) == 1.0
    assert 0 < macro_f1([0, 1, 1, 0], [1, 1, 1, 0]) < 1
