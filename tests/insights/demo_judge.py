"""The demo, judged by a stand-in for the classifiers: each post's triage scores are written
from the bundle's ground truth (`extra.demo.category`), as the fast-tier models would score
a well-classified post. Until the classifiers run in the default pipeline, this is how the
insights tests see the demo's praise, requests and complaints."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select

from gardien.app.demo import _parsed
from gardien.app.runtime import Runtime
from gardien.channels.file_import import ingest_stream
from gardien.demo.bundle import load_manifest
from gardien.domain import Channel, Community
from gardien.store.communities import ensure_channel, ensure_community
from gardien.store.insights_facts import record_facts
from gardien.store.tables import PostRow, TriageRow

SCORES: dict[str, dict[str, float]] = {
    "praise": {"intent.praise": 0.9, "sentiment.positive": 0.88},
    "feature_request": {"intent.feature_request": 0.86, "sentiment.neutral": 0.6},
    "complaint": {"intent.complaint": 0.9, "complaint": 0.92, "sentiment.negative": 0.86},
    "question": {"intent.question": 0.88, "sentiment.neutral": 0.7},
    "chatter": {"intent.other": 0.7, "sentiment.positive": 0.55},
    "spam": {"spam": 0.96, "intent.other": 0.8, "sentiment.neutral": 0.6},
    "insult": {"offensive": 0.9, "sentiment.negative": 0.8, "intent.other": 0.6},
    "troll": {"offensive": 0.6, "sentiment.negative": 0.7, "intent.other": 0.6},
    "hate": {"hate": 0.9, "sentiment.negative": 0.9, "intent.other": 0.6},
    "offtopic": {"off_topic": 0.9, "sentiment.negative": 0.5, "intent.other": 0.6},
}
QUEUE = {
    "complaint": "care",
    "question": "care",
    "spam": "moderation",
    "insult": "moderation",
    "hate": "moderation",
    "troll": "moderation",
}


def load_judged_demo(runtime: Runtime) -> None:
    """Import the bundled demo and judge it from its ground truth (fast: no models)."""
    manifest = load_manifest()
    with runtime.database.session() as session:
        for c in manifest.communities:
            ensure_community(session, Community(c.slug, c.name, c.description, c.locales))
        for ch in manifest.channels:
            ensure_channel(session, Channel(ch.name, ch.kind, ch.community))
    for ch in manifest.channels:
        ingest_stream(
            runtime.database, ch.name, f"demo:{ch.file}", _parsed(ch.name, runtime.limits)
        )
    judge_from_ground_truth(runtime)


def judge_from_ground_truth(runtime: Runtime) -> None:
    now = datetime.now(UTC)
    with runtime.database.session() as session:
        posts = session.execute(select(PostRow.id, PostRow.extra)).all()
        rows: list[dict[str, Any]] = []
        for post_id, extra in posts:
            demo = (extra or {}).get("demo", {})
            category, lang = demo.get("category", "chatter"), demo.get("lang", "en")
            rows.append(
                {
                    "post_id": post_id,
                    "language": lang,
                    "language_confidence": 0.99,
                    "signals": {"scores": {k: {"value": v} for k, v in SCORES[category].items()}},
                    "action": "allow",
                    "queue": QUEUE.get(category, "none"),
                    "department": None,
                    "reasons": [],
                    "policy_version": "demo-ground-truth",
                    "triaged_at": now,
                }
            )
        ids = [row["post_id"] for row in rows]
        session.execute(delete(TriageRow).where(TriageRow.post_id.in_(ids)))
        session.execute(insert(TriageRow), rows)
        record_facts(session, ids)
