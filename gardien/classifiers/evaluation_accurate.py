"""`gardien eval --accurate`: the accurate tier's heads on the test splits and hand-labelled sets,
on every post and as the product runs them (a cascade over the posts the fast tier is unsure of).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gardien.classifiers import datasets
from gardien.classifiers.accurate import AccurateTier, Head, kind_path, load_head
from gardien.classifiers.datasets import Split
from gardien.classifiers.evaluation import (
    ANCHORS,
    DEMO_NOTE,
    Matrix,
    Row,
    _sample,
    demo_splits,
    intent_splits,
    sentiment_dev,
)
from gardien.classifiers.metrics import ece, macro_f1, macro_recall
from gardien.classifiers.registry import FastTier
from gardien.classifiers.training_accurate import CachedEmbedder

#: The customer tasks whose e5 heads are judged on sets no choice read (`training_cv_heads.py`).
CUSTOMER_TASKS = ("intent", "complaint")


class Cascade:
    """The accurate tier as the product runs it: each head on the unsure posts it serves."""

    def __init__(self, tier: FastTier, cache: Path) -> None:
        self.tier = tier
        self.accurate = AccurateTier(tier.models_dir)
        self.embedder = CachedEmbedder(cache)

    def head(self, task: str, lang: str) -> Head | None:
        """The head the product would use for the task in `lang` over this fast tier."""
        head = self.accurate.head_for(task, lang)
        if head is None or not head.stacks_on(self.tier.model(task, lang).name):
            return None
        return head

    def serves(self, task: str, lang: str) -> bool:
        return self.head(task, lang) is not None

    def scores(
        self, task: str, texts: list[str], lang: str, head: Head | None = None
    ) -> tuple[Matrix, Matrix, Matrix]:
        """Fast probabilities, the head's on every post, and the cascade's."""
        head = head or self.head(task, lang)
        assert head is not None
        langs = [lang] * len(texts)
        fast = self.tier.predict(task, texts, langs, rescue=False)
        fused, raised = self.tier.scored(task, texts, langs)
        encoder = self.embedder if head.kind == "e5" else self.accurate.encoder(head)
        stacked = head.combine(fast, head.margins(encoder.embed(texts)))
        unsure = head.unsure(fast) & ~raised  # raised posts keep the second opinion's score
        return fast, stacked, np.where(unsure[:, None], stacked, fused)

    def labels(self, head: Head, probs: Matrix) -> np.ndarray:
        if probs.shape[1] == 1:
            return (probs[:, 0] >= head.threshold).astype(int)
        return probs.argmax(axis=1)

    def decide(self, task: str, texts: list[str], lang: str) -> np.ndarray | None:
        head = self.head(task, lang)
        if head is None:
            return None
        return self.labels(head, self.scores(task, texts, lang)[2])

    def rows(
        self, name: str, task: str, lang: str, split: Split, metric: str = "macro_f1",
        head: Head | None = None, note: str = "",
    ) -> list[Row]:  # fmt: skip
        """The head on every post and as a cascade, as two report rows."""
        head = head or self.head(task, lang)
        assert head is not None
        fast, stacked, both = self.scores(task, split.texts, lang, head)
        share = float(head.unsure(fast).mean()) if len(split) else 0.0
        measure = macro_recall if metric == "macro_recall" else macro_f1
        out = []
        for label, probs in (("all posts", stacked), (f"cascade, {share:.0%}", both)):
            score = round(measure(split.labels, self.labels(head, probs)), 4)
            out.append(Row(name, lang, task, head.name, metric, score, len(split),
                           round(ece(probs, split.labels), 4),
                           note=f"accurate tier, {label}" + (f"; {note}" if note else ""),
                           anchors=ANCHORS.get(name, {})))  # fmt: skip
        return out


def accurate_rows(tier: FastTier, data: Path, cache: Path, limit: int | None) -> list[Row]:
    """The accurate tier on the test sets: on every post, and as a cascade (unsure posts only).

    e5 embeddings are cached in `cache`; fine-tuned heads run their own ONNX encoder."""
    from gardien.classifiers.training_accurate import LOADERS

    cascade = Cascade(tier, cache)
    rows = []
    brand_posts = [
        datasets.TestSet(f"sentiment_dev_{lang}", lang, "macro_f1", split)
        for lang, split in sentiment_dev(tier).items()
    ]
    for task, loader in LOADERS.items():
        for test in [*loader(data).tests, *(brand_posts if task == "sentiment" else [])]:
            if cascade.serves(task, test.lang):  # else no head, or validation left it alone
                split = _sample(test.split, limit)
                rows += cascade.rows(test.name, task, test.lang, split, test.metric)
    return rows + customer_rows(cascade, data, limit)


def customer_rows(cascade: Cascade, data: Path, limit: int | None) -> list[Row]:
    """Intent and complaint heads on the hand-labelled intent set, the demo's posts and
    complaints_en (none of which chose anything about them)."""
    sets: list[tuple[str, str, str, Split, str]] = []
    for lang, (intent, complaint) in intent_splits(cascade.tier).items():
        sets.append((f"intent_eval_{lang}", "intent", lang, intent, ""))
        sets.append((f"intent_eval_{lang}.complaint", "complaint", lang, complaint, ""))
    for (task, lang), split in demo_splits().items():
        if task in CUSTOMER_TASKS:
            sets.append((f"demo_posts_{lang}.{task}", task, lang, _sample(split, limit), DEMO_NOTE))
    rows = []
    for name, task, lang, split, note in sets:
        if cascade.serves(task, lang):
            rows += cascade.rows(name, task, lang, split, note=note)
    return rows + seed_complaint_rows(cascade, data, limit)


def seed_complaint_rows(cascade: Cascade, data: Path, limit: int | None) -> list[Row]:
    """The shipped complaint model with its e5 head on complaints_en, every row unseen (beside
    models/local's model, which learns them)."""
    path = kind_path("complaint", "e5", cascade.tier.models_dir)
    try:
        split = _sample(datasets.complaints(data), limit)
    except Exception:
        return []
    head = load_head(path) if path.is_file() else None
    if head is None or not head.serves("en"):
        return []
    seed = FastTier(cascade.tier.models_dir, use_local=False)
    seed._encoder = cascade.tier.encoder
    shipped = Cascade(seed, cascade.embedder.folder)
    return shipped.rows("complaints_en", "complaint", "en", split, head=head,
                        note="shipped seed model + e5 head, all rows unseen")  # fmt: skip
