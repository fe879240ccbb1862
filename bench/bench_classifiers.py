"""Fast tier posts/s on one core, against alt-profanity-check run in the same process."""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BATCH = 512


def posts(
    n: int = 6000, folders: tuple[str, ...] = ("tweeteval_sentiment", "umsab_sentiment_fr")
) -> list[str]:
    """Real tweets when the shared data is here, else a small cast repeated."""
    texts: list[str] = []
    for folder in folders:
        path = DATA / folder / "test.csv"
        if path.is_file():
            with path.open(encoding="utf-8", newline="") as handle:
                texts.extend(row["text"] for row in csv.DictReader(handle))
    if not texts:
        texts = [
            "You are an idiot",
            "Merci pour la livraison rapide !",
            "WIN a FREE phone www.x.com",
        ]
    return [texts[i % len(texts)] for i in range(n)]


def rate(run: Callable[[list[str]], object], texts: list[str]) -> float:
    run(texts[:BATCH])  # warm up: lazy loading is not what we measure
    start = time.process_time()  # CPU time: fair on a machine shared with other jobs
    for i in range(0, len(texts), BATCH):
        run(texts[i : i + BATCH])
    return len(texts) / (time.process_time() - start)


def main() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    from gardien.domain import Community, Post
    from gardien.pipeline.record import CommunityConfig, StageContext, TriageRecord
    from gardien.pipeline.signals import signal_stages

    texts = posts()
    stages = signal_stages()
    community = Community("c", "C", description="Phones, plans and network coverage.",
                          off_limit_themes=("politics",))  # fmt: skip
    context = StageContext({"c": CommunityConfig(community)})
    when = datetime(2025, 1, 1, tzinfo=UTC)

    def signals(batch: list[str]) -> None:
        records = [TriageRecord("c", Post("b", str(i), "a", t, when)) for i, t in enumerate(batch)]
        for stage in stages:
            stage(records, context)

    def scores_only(batch: list[str]) -> None:
        tier = stages[0].tier
        assert tier is not None
        for task in ("offensive", "hate", "spam", "complaint", "intent", "sentiment"):
            tier.predict(task, batch)

    accurate_tier(texts[:256], signals)
    ours = rate(signals, texts)
    bare = rate(scores_only, texts)
    print(f"fast tier, all 13 signals with explanations: {ours:8.0f} posts/s (one core, CPU time)")
    print(f"fast tier, 13 scores, no explanations:       {bare:8.0f} posts/s")
    try:
        from profanity_check import predict_prob
    except ImportError:
        print("alt-profanity-check not installed: no baseline ratio (pip install -e '.[dev]')")
        return
    baseline = rate(lambda batch: predict_prob(batch), texts)
    print(f"alt-profanity-check, 1 English score:        {baseline:8.0f} posts/s")
    print(f"ratio, posts/s (our 13 signals vs its 1):    {ours / baseline:.3f}× with explanations, "
          f"{bare / baseline:.3f}× without")  # fmt: skip
    print(f"ratio, signals/s (13 per post vs 1):         {13 * bare / baseline:.2f}×")


def accurate_tier(texts: list[str], fast: Callable[[list[str]], object]) -> None:
    """Each built head's posts/s on one core, alone and as the cascade the stage runs (the
    fast tier on every post, the head on those inside its band), beside the fast tier."""
    from gardien.classifiers.accurate import AccurateTier, Embedder, Head, built_heads
    from gardien.classifiers.registry import fast_tier

    accurate = AccurateTier(embedder=Embedder(threads=1))
    tasks = [task for task in built_heads(accurate) if accurate.runnable(task)]
    if not tasks:
        print("accurate tier: heads or their libraries missing (pip install -e '.[accurate]')")
        return
    base = rate(fast, texts)
    french = posts(len(texts), ("umsab_sentiment_fr",))
    for task in tasks:
        for head in accurate.heads(task):
            sample = texts if head.serves("en") else french
            accurate.encoder(head).embed(sample[:8])  # load the model outside the measure
            probs = fast_tier().predict(task, sample)
            share = float(head.unsure(probs).mean())

            def head_alone(batch: list[str], t: str = task, h: Head = head) -> object:
                accurate.forget()  # no vectors kept from the previous round or head
                return accurate.predict(h, batch, fast_tier().predict(t, batch))

            alone = rate(head_alone, sample)
            cascade = 1 / (1 / base + share / alone)
            print(
                f"accurate tier {head.name:22} alone {alone:6.1f} posts/s; cascade (re-scores "
                f"{share:.0%} of these posts) {cascade:6.1f} posts/s = {cascade / base:.3f}× the fast tier"
            )
