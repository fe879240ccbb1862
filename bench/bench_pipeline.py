"""Pipeline throughput on one core: the default pipeline over the demo's posts, stage by stage,
against a baseline of the first stage alone (Unicode normalisation) run in the same process."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime

from gardien.demo.bundle import iter_channel_lines, load_manifest
from gardien.domain import Community, Post
from gardien.pipeline import Pipeline, StageContext, TriageRecord
from gardien.pipeline.default import default_pipeline
from gardien.pipeline.normalise import Normalise
from gardien.pipeline.record import CommunityConfig

POSTS = int(os.environ.get("GARDIEN_BENCH_PIPELINE_POSTS", "20000"))
BATCH = 1000


def demo_records() -> tuple[list[TriageRecord], StageContext]:
    """POSTS records cycling over the demo's texts, with the demo's communities as context."""
    manifest = load_manifest()
    communities = {
        c.slug: Community(c.slug, c.name, c.description, c.locales) for c in manifest.communities
    }
    texts: list[tuple[str, str]] = []
    for channel in manifest.channels:
        for raw in iter_channel_lines(channel.name):
            texts.append((channel.community, json.loads(raw)["text"]))
    created = datetime(2026, 11, 1, tzinfo=UTC)
    records = [
        TriageRecord(
            community=community,
            post=Post(
                channel="bench", external_id=str(i), author="a", text=text, created_at=created
            ),
        )
        for i, (community, text) in enumerate(texts[i % len(texts)] for i in range(POSTS))
    ]
    context = StageContext({slug: CommunityConfig(c) for slug, c in communities.items()})
    return records, context


def run(pipeline: Pipeline, records: list[TriageRecord], context: StageContext) -> dict[str, float]:
    """Seconds spent in each stage over all batches."""
    spent = dict.fromkeys(pipeline.names, 0.0)
    for start in range(0, len(records), BATCH):
        batch = records[start : start + BATCH]
        for stage in pipeline.stages:
            began = time.perf_counter()
            stage(batch, context)
            spent[stage.name] += time.perf_counter() - began
    return spent


def main() -> None:
    records, context = demo_records()
    pipeline = default_pipeline()
    run(pipeline, records[:BATCH], context)  # warm up: models and policies load once
    baseline = sum(run(Pipeline([Normalise()]), records, context).values())
    spent = run(pipeline, records, context)
    total = sum(spent.values())
    print(f"{POSTS:,} demo posts in batches of {BATCH:,}, one core")
    for name, seconds in spent.items():
        print(
            f"  {name:<16} {POSTS / seconds:>12,.0f} posts/s   {100 * seconds / total:5.1f} % of the time"
        )
    print(
        f"default pipeline   {POSTS / total:>12,.0f} posts/s   baseline (normalise only) "
        f"{POSTS / baseline:,.0f} posts/s   ratio {baseline / total:.3f}×"
    )
