"""e5 heads for the customer tasks (intent, complaint), chosen and stacked by cross-validation.

Their fast models learn hand-written seeds and neutral tweets and have no validation split: they
are chosen by 5-fold cross-validation inside those rows (`training._cross_margins`). Their e5
heads follow the same folds. The fast model (at its recorded C and dense weight) and the head
are each refitted on four folds and read the fifth, so every row gets an out-of-fold pair of
outputs; the head's C, the stacker (scored by a second cross-validation over those pairs), the
threshold, the unsure band and the languages the head serves are chosen on them. The shipped
head is fitted on every row, its stacker on every out-of-fold pair. Neither the hand-labelled
intent set nor complaints_en is read here: they judge the heads after (`gardien eval
--accurate`). Why e5 here: a sentence encoder aligned across English and French reads what a
customer asks for in words the seeds never used, which is where the n-gram model fails
(French praise and questions above all, docs/CLASSIFIERS.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gardien.classifiers import choices, datasets, training_data
from gardien.classifiers.accurate import Head, kind_path, load_head, save_head
from gardien.classifiers.linear import LinearModel, one_of_softmax
from gardien.classifiers.metrics import macro_f1
from gardien.classifiers.registry import FastTier, spec
from gardien.classifiers.training import Design, _cross_margins, cv_folds
from gardien.classifiers.training_accurate import (
    E5_MODEL,
    CachedEmbedder,
    Log,
    choose_cascade,
    write_head_card,
)

#: Tasks whose heads are chosen by cross-validation (no validation split), in training order.
CV_TASKS = ("intent", "complaint")
HEAD_GRID = (1.0, 4.0, 16.0)
FOLDS = 5


@dataclass(frozen=True, slots=True)
class Vectors:
    """e5 vectors and labels of the training rows, and of the extra rows every fit learns."""

    x: NDArray[np.float32]
    y: NDArray[np.int64]
    x_extra: NDArray[np.float32]
    y_extra: NDArray[np.int64]
    extra_weight: float

    def learnt(self, index: Any = slice(None)) -> tuple[Any, Any, Any]:
        """Rows, labels and sample weights of a fit on the training rows `index` and every
        extra row (each counting `extra_weight`)."""
        y = self.y[index]
        weights = np.r_[np.ones(len(y)), np.full(len(self.y_extra), self.extra_weight)]
        return np.vstack([self.x[index], self.x_extra]), np.r_[y, self.y_extra], weights


def train_cv_heads(
    data: Path, cache: Path, log: Log, tasks: tuple[str, ...], tier: FastTier | None = None
) -> list[Head]:
    """The e5 head of each task in `tasks` that is chosen by cross-validation."""
    base = tier or FastTier()
    # the shipped models, never models/local's complaints_en model: the heads ship
    shipped = FastTier(base.models_dir, use_local=False)
    embedder = CachedEmbedder(cache)
    return [train_cv_head(task, data, embedder, log, shipped) for task in CV_TASKS if task in tasks]


def cv_rows_key(task: str, data: training_data.Data, fast: LinearModel) -> str:
    """What the head learns and stacks on: the fast model's rows (seeds, their weight, folds)
    and its choices, the encoder and this module's grid. A rebuild where none changed keeps
    the shipped head and embeds nothing (`choices.py`)."""
    return choices.key(
        task,
        [(s.texts, s.labels, s.langs) for s in (data.train, data.extra)],
        data.groups,
        data.extra_weight,
        choices.of_model(fast.meta),
        E5_MODEL,
        FOLDS,
        HEAD_GRID,
    )


def train_cv_head(
    task: str,
    data_dir: Path,
    embedder: CachedEmbedder,
    log: Log,
    tier: FastTier,
    folder: Path | None = None,
) -> Head:
    """Choose, stack and save the task's e5 head (in `folder`, by default where it ships)."""
    data = training_data.load(spec(task), data_dir)
    fast = tier.model(task)
    rows = cv_rows_key(task, data, fast)
    folder = folder or kind_path(task, "e5").parent
    path = folder / "model.npz"
    shipped = load_head(path) if path.is_file() else None
    if shipped is not None and shipped.meta.get("rows_key") == rows:
        log(f"  {task}-e5: the rows and fast model of the shipped head: kept (choices.py)")
        return shipped
    y, y_extra = np.array(data.train.labels), np.array(data.extra.labels, dtype=np.int64)
    positive = fast.positive  # complaint: one class of the intent softmax, read as binary
    log(f"{task}-e5: embedding {len(data.train) + len(data.extra)} texts (cached)")
    x, x_extra = embedder.embed(data.train.texts), embedder.embed(data.extra.texts)
    target = y if positive is None else (y == positive).astype(np.int64)
    target_extra = y_extra if positive is None else (y_extra == positive).astype(np.int64)
    vectors = Vectors(x, target, x_extra, target_extra, data.extra_weight)
    folds = cv_folds(y, data.groups)  # stratified by intent, as the fast model's
    fast_probs = _fast_out_of_fold(fast, tier, data, y, y_extra)
    best: tuple[float, float, NDArray[np.float64]] | None = None
    for c in HEAD_GRID:
        margins = _head_margins(c, vectors, folds)
        score = macro_f1(target, _decide(margins))
        log(f"  {task}-e5: C={c:g} → {FOLDS}-fold CV macro-F1 {score:.3f}")
        if best is None or score > best[0] + choices.STICKY:
            best = (score, c, margins)
    assert best is not None
    head_score, c, margins = best
    final = _logistic(c).fit(*vectors.learnt())
    weights, bias = final.coef_.T.astype(np.float32), final.intercept_.astype(np.float32)
    head = _stacked_head(
        task, weights, bias, fast_probs, margins.astype(np.float32), target, data, folds, tier, log
    )
    head.meta.update(
        C=c,
        rows_key=rows,
        encoder=E5_MODEL,
        validation={"head_macro_f1": round(head_score, 4), **head.meta["validation"]},
    )
    save_head(path, head)
    write_head_card(head, folder)
    log(f"  {head.name}: head {head_score:.3f}, stacked with the fast tier "
        f"{head.meta['validation']['stacked_macro_f1']:.3f} ({FOLDS}-fold CV)")  # fmt: skip
    return head


def _logistic(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=3000, class_weight="balanced")


def _head_margins(c: float, vectors: Vectors, folds: list[tuple[Any, Any]]) -> NDArray[np.float64]:
    """Out-of-fold margins of the e5 head; the extra rows join every fold's training."""
    out: NDArray[np.float64] | None = None
    for learn, held in folds:
        fitted = _logistic(c).fit(*vectors.learnt(learn))
        margins = np.atleast_2d(fitted.decision_function(vectors.x[held]).T).T
        if out is None:
            out = np.zeros((len(vectors.y), margins.shape[1]))
        out[held] = margins
    assert out is not None
    return out


def _fast_out_of_fold(
    fast: LinearModel,
    tier: FastTier,
    data: training_data.Data,
    y: NDArray[np.int64],
    y_extra: NDArray[np.int64],
) -> NDArray[np.float32]:
    """The fast model's calibrated out-of-fold probabilities, refitted at its recorded choices."""
    encoder = tier.encoder.reading(fast.reading)
    scale = float(fast.meta["dense_scale"])
    x = Design(encoder, data.train.texts).at(scale)
    x_extra = Design(encoder, data.extra.texts).at(scale) if len(data.extra) else None
    extras = (x_extra, y_extra, data.extra_weight)
    out = _cross_margins(_logistic(float(fast.meta["C"])), x, y, extras, data.groups)
    margins = np.asarray(out, dtype=np.float32)
    if fast.positive is not None:
        margins = one_of_softmax(margins, fast.positive)
    return fast.calibrate(margins)


def _decide(margins: NDArray[np.float64]) -> NDArray[np.int64]:
    m = np.asarray(margins)
    return (m[:, 0] > 0).astype(np.int64) if m.shape[1] == 1 else m.argmax(axis=1)


def _stacked_head(
    task: str,
    weights: NDArray[np.float32],
    bias: NDArray[np.float32],
    fast: NDArray[np.float32],
    margins: NDArray[np.float32],
    y: NDArray[np.int64],
    data: training_data.Data,
    folds: list[tuple[Any, Any]],
    tier: FastTier,
    log: Log,
) -> Head:
    """The stacker on every out-of-fold pair; its threshold, band and languages chosen on a
    cross-validation over those pairs (the head's own folds)."""
    from sklearn.linear_model import LogisticRegression

    from gardien.classifiers.accurate import stack_inputs

    features = np.hstack([stack_inputs(fast), margins])
    stacked = np.zeros((len(y), 1 if fast.shape[1] == 1 else fast.shape[1]), np.float32)
    for learn, held in folds:
        part = LogisticRegression(C=1.0, max_iter=1000).fit(features[learn], y[learn])
        probs = part.predict_proba(features[held])
        stacked[held] = probs[:, 1:] if fast.shape[1] == 1 else probs
    stacker = LogisticRegression(C=1.0, max_iter=1000).fit(features, y)
    name = f"{task}-e5.v1"
    head = Head(name, spec(task).labels, weights, bias, stacker.coef_.T.astype(np.float32),
                stacker.intercept_.astype(np.float32), {"kind": "e5"})  # fmt: skip
    oof = datasets.Split(list(data.train.texts), y.tolist(), list(data.train.langs))
    score, threshold, band, langs = choose_cascade(task, head, tier, oof, fast, stacked, log)
    head.meta.update(
        name=name,
        task=task,
        threshold=threshold,
        unsure=list(band),
        languages=langs,
        sources=tier.model(task).meta["sources"],
        stacked_on=tier.model(task).name,
        validation={"stacked_macro_f1": round(score, 4), "size": len(y),
                    "kind": f"out-of-fold outputs of a {FOLDS}-fold CV on training (the fast model's folds)"},
    )  # fmt: skip
    return head
