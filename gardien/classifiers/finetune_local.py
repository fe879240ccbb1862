"""A fine-tuned complaint head built from complaints_en, which has no licence: kept local.

complaints_en has no validation split, so everything is judged by the same 5-fold
cross-validation as the local fast model (same folds, same seed): the fine-tuned model is
trained five times on four folds and scored on the fifth; the stacker that merges it with the
fast model is then scored by cross-validation over those out-of-fold outputs. The head that
ships to this machine is fine-tuned once more on every row, with the stacker fitted on the
out-of-fold outputs. Nothing here is committed (models/local is git-ignored).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np

from gardien.classifiers import datasets
from gardien.classifiers.accurate import Head, local_path, save_head
from gardien.classifiers.finetune import BASE, Recipe, _imports, ship, write_card
from gardien.classifiers.metrics import macro_f1
from gardien.classifiers.registry import FastTier, spec
from gardien.classifiers.training import Design, train_local_complaints
from gardien.classifiers.training_accurate import Log
from gardien.errors import ConfigError

FOLDS = 5
#: Fast scores the head re-scores (the cascade's CV score is reported with this band).
BAND = (0.2, 0.8)


def finetune_complaints(data: Path, log: Log, recipe: Recipe | None = None) -> Head | None:
    """Cross-validate, then build `complaint-minilm.v1` in models/local; None without the data."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    recipe = recipe or Recipe()
    try:
        split = datasets.complaints(data)
    except ConfigError:
        log("complaints_en not found: no local complaint head")
        return None
    built, base = _imports()
    tier = FastTier()
    fast = tier.model("complaint", "en")
    if not fast.name.endswith(".local"):
        train_local_complaints(data, tier.encoder, log)
        tier = FastTier()
        fast = tier.model("complaint", "en")
    texts, y = split.texts, np.array(split.labels)
    folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=datasets.SEED).split(texts, y))
    design = Design(tier.encoder, texts).at(float(fast.meta["dense_scale"]))
    linear = LogisticRegression(C=float(fast.meta["C"]), max_iter=3000, class_weight="balanced")
    fast_margins = cross_val_predict(linear, design, y, cv=folds, method="decision_function")
    a, b = (float(v) for v in fast.calibration[:2])
    fast_logodds = (a * fast_margins + b).astype(np.float32)
    tuned = np.zeros(len(y), np.float32)
    for k, (train_rows, test_rows) in enumerate(folds, 1):
        log(f"complaint-minilm: fold {k}/{FOLDS} ({len(train_rows)} texts)")
        model, _, _ = built.fit(
            base, [texts[i] for i in train_rows], y[train_rows].tolist(), recipe, log
        )
        tokenizer = built.tokenizer_for(base, recipe.max_tokens)
        logits = built.predict(model, tokenizer, [texts[i] for i in test_rows])
        tuned[test_rows] = logits[:, 1] - logits[:, 0]
    features = np.column_stack([fast_logodds, tuned])
    stacker = LogisticRegression(C=1.0, max_iter=1000)
    stacked = cross_val_predict(stacker, features, y, cv=folds, method="predict_proba")[:, 1]
    fast_probs = 1 / (1 + np.exp(-fast_logodds))
    inside = (fast_probs >= BAND[0]) & (fast_probs <= BAND[1])
    scores = {
        "fast_macro_f1": macro_f1(y, fast_probs >= fast.threshold_for("en")),
        "head_macro_f1": macro_f1(y, tuned >= 0),
        "stacked_macro_f1": macro_f1(y, stacked >= 0.5),
        "cascade_macro_f1": macro_f1(
            y, np.where(inside, stacked >= 0.5, fast_probs >= fast.threshold_for("en"))
        ),
    }
    for name, value in scores.items():
        log(f"  complaints_en {FOLDS}-fold CV, {name.removesuffix('_macro_f1')}: {value:.3f}")
    stacker.fit(features, y)
    log("complaint-minilm: fine-tuning on every row for the local head")
    model, _, _ = built.fit(base, texts, y.tolist(), recipe, log)
    folder = local_path("complaint", "minilm").parent
    weights, bias = ship(built, model, base, folder)
    head = Head(
        "complaint-minilm.local",
        spec("complaint").labels,
        weights,
        bias,
        stacker.coef_.T.astype(np.float32),
        stacker.intercept_.astype(np.float32),
        {
            "name": "complaint-minilm.local",
            "task": "complaint",
            "kind": "minilm",
            "threshold": 0.5,
            "unsure": list(BAND),
            "languages": ["en"],
            "sources": fast.meta["sources"],
            "encoder": BASE,
            "input": "raw",  # the stacker was fitted on margins of the raw text
            "max_tokens": recipe.max_tokens,
            "recipe": asdict(recipe),
            "epochs_chosen": recipe.epochs,
            "validation": {k: round(v, 4) for k, v in scores.items()}
            | {"size": len(y), "kind": f"{FOLDS}-fold CV on training"},
        },
    )
    save_head(folder / "model.npz", head)
    write_card(head, folder)
    return head
