"""Pipeline throughput on one core: the default pipeline over the demo's posts, stage by stage,
against a baseline of the first stage alone (Unicode normalisation) run in the same process."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta

from gardien.demo.bundle import iter_channel_lines, load_manifest
from gardien.domain import Community, Post
from gardien.pipeline import Pipeline, StageContext, TriageRecord
from gardien.pipeline.default import default_pipeline
from gardien.pipeline.normalise import Normalise
from gardien.pipeline.record import CommunityConfig

POSTS = int(os.environ.get("GARDIEN_BENCH_PIPELINE_POSTS", "20000"))
BATCH = 1000


def demo_records() -> tuple[list[TriageRecord], StageContext]:
    """POSTS records cycling over the demo's lines, with the demo's communities as context. Each
    keeps its author and time, a week later at every cycle (the repeated-text stage compares a
    post with its author's recent ones; one author writing everything at once is its worst case)."""
    manifest = load_manifest()
    communities = {
        c.slug: Community(c.slug, c.name, c.description, c.locales) for c in manifest.communities
    }
    lines: list[tuple[str, str, str, datetime]] = []
    for channel in manifest.channels:
        for raw in iter_channel_lines(channel.name):
            line = json.loads(raw)
            author = line["author"]["id"] if isinstance(line["author"], dict) else line["author"]
            created = datetime.fromisoformat(line["created_at"].replace("Z", "+00:00"))
            lines.append((channel.community, line["text"], str(author), created.astimezone(UTC)))
    records = []
    for i in range(POSTS):
        community, text, author, created = lines[i % len(lines)]
        at = created + timedelta(weeks=i // len(lines))
        post = Post(channel="bench", external_id=str(i), author=author, text=text, created_at=at)
        records.append(TriageRecord(community=community, post=post))
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
