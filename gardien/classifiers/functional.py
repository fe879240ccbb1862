"""Functional tests of the hate and offensive signals: what a moderator expects on plain cases.

Public test sets score models on their own distribution; a community keeper is also judged on
cases those sets barely hold: a neutral or kind mention of a group, counter-speech quoting a slur
to condemn it, negated hate, insults aimed at one person or at a product (offensive, not hate).
`eval_sets/functional_eval.csv` holds such posts written by hand in both languages (README
there); `gardien eval` scores each task per language and reports the accuracy per functionality,
so a model that learnt "mentions of a group = hate" shows up even when its test score is fine.
"""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from gardien.classifiers.datasets import Split
from gardien.classifiers.metrics import macro_f1, roc_auc
from gardien.classifiers.registry import EVAL_SETS_DIR

#: Every functional set and what it may be used for (eval_sets/README.md): `functional_eval`
#: was written before the identity templates and in their image, so it checks that their lesson
#: was learnt; `functional_dev` and `functional_heldout` were written apart from every training
#: row, by two writers who saw neither the seeds nor each other's set. Candidate builds that
#: validation cannot tell apart may be compared on the dev set; the held-out set is only read
#: as totals, after the choices are made.
FUNCTIONAL_SETS = ("functional_eval", "functional_dev", "functional_heldout")
TASKS = ("hate", "offensive")
#: (task, texts, lang) → 0/1 decisions, or None when that tier does not serve the language.
Decide = Callable[[str, list[str], str], "np.ndarray | None"]
#: (task, texts, lang) → the probability of the positive label of each text.
Score = Callable[[str, list[str], str], "np.ndarray"]


def functional_cases(name: str = "functional_eval") -> list[dict[str, str]]:
    with (EVAL_SETS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def functional_split(
    task: str, lang: str, name: str = "functional_eval"
) -> tuple[Split, list[str]]:
    """The set's posts in `lang` labelled for `task`, and each post's functionality."""
    cases = [row for row in functional_cases(name) if row["lang"] == lang]
    split = Split([r["text"] for r in cases], [int(r[task]) for r in cases], [lang] * len(cases))
    return split, [r["functionality"] for r in cases]


def functional_report(
    decide: Decide, tier: str, score: Score | None = None, sets: tuple[str, ...] = FUNCTIONAL_SETS
) -> list[dict[str, Any]]:
    """Macro-F1 per set, task and language, and accuracy per functionality, for one tier; with
    `score`, the ROC AUC too (threshold-free: steadier than F1 on a few dozen posts)."""
    out = []
    for name, task, lang in itertools.product(sets, TASKS, ("en", "fr")):
        split, kinds = functional_split(task, lang, name)
        predicted = decide(task, split.texts, lang)
        if predicted is None:
            continue
        right: dict[str, list[bool]] = defaultdict(list)
        for kind, truth, guess in zip(kinds, split.labels, predicted, strict=True):
            right[kind].append(bool(truth == guess))
        auc = (
            None
            if score is None
            else round(roc_auc(split.labels, score(task, split.texts, lang)), 4)
        )
        out.append(
            {
                "auc": auc,
                "set": f"{name}_{lang}",
                "task": task,
                "lang": lang,
                "tier": tier,
                "macro_f1": round(macro_f1(split.labels, predicted), 4),
                "size": len(split),
                "accuracy": {k: round(float(np.mean(v)), 3) for k, v in right.items()},
            }
        )
    return out


def render_functional(items: list[dict[str, Any]]) -> list[str]:
    """Lines for the console: one per set, task, language and tier, then its weakest cases
    (none for the held-out set, read as totals only)."""
    lines = ["\nfunctional tests (hand-written, eval_sets/functional_*.csv): macro-F1; "
             "accuracy per kind of post below 0.75"]  # fmt: skip
    for item in items:
        weak = ", ".join(
            f"{kind} {score:.2f}"
            for kind, score in item["accuracy"].items()
            if score < 0.75 and not item["set"].startswith("functional_heldout")
        )
        auc = f"  AUC {item['auc']:.3f}" if item.get("auc") is not None else ""
        name = item["set"].rsplit("_", 1)[0].removeprefix("functional_")
        lines.append(
            f"  {name:8} {item['task']:9} {item['lang']:2} {item['tier']:17} {item['macro_f1']:.3f}"
            f"  (n={item['size']}){auc}" + (f"  weak: {weak}" if weak else "")
        )
    return lines
