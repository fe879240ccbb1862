"""A small named cast for the insights tests: Vélo Rouge riders posting on the forum, with the
triage scores a classifier would have given them (written straight into the store)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from gardien.app.runtime import Runtime
from gardien.channels.file_import import ingest_stream
from gardien.channels.parse import Parsed, parse_json_line
from gardien.store.insights_facts import record_facts
from gardien.store.tables import PostRow, TriageRow
from tests.factories import post

PRAISE = {"intent.praise": 0.92, "sentiment.positive": 0.9}
REQUEST = {"intent.feature_request": 0.88, "sentiment.neutral": 0.7}
COMPLAINT = {"intent.complaint": 0.9, "complaint": 0.9, "sentiment.negative": 0.88}
QUESTION = {"intent.question": 0.9, "sentiment.neutral": 0.8}
SPAM = {"spam": 0.97, "intent.other": 0.9}


def author(handle: str, followers: int = 50) -> dict[str, Any]:
    return {
        "id": handle.strip("@"),
        "handle": handle,
        "followers": followers,
        "created_at": "2024-01-01T00:00:00Z",
    }


def publish(
    runtime: Runtime, channel: str, posts: list[tuple[dict[str, Any], dict[str, float]]]
) -> list[int]:
    """Ingest `posts` (records with their scores) and store their judgement; returns post ids."""

    def parsed() -> Iterator[Parsed]:
        for n, (record, _) in enumerate(posts, start=1):
            yield parse_json_line(json.dumps(record).encode(), n, runtime.limits)

    ingest_stream(runtime.database, channel, f"test:{channel}", parsed())
    now = datetime.now(UTC)
    with runtime.database.session() as session:
        ids = {ext: pid for ext, pid in session.execute(select(PostRow.external_id, PostRow.id))}
        rows: list[dict[str, Any]] = [
            {
                "post_id": ids[record["id"]],
                "language": "en",
                "language_confidence": 0.99,
                "signals": {"scores": {k: {"value": v} for k, v in scores.items()}},
                "action": "allow",
                "queue": "moderation" if "spam" in scores else "none",
                "department": None,
                "reasons": [],
                "policy_version": "test",
                "triaged_at": now,
            }
            for record, scores in posts
        ]
        session.execute(insert(TriageRow), rows)
        record_facts(session, [row["post_id"] for row in rows])
    return [ids[record["id"]] for record, _ in posts]


def forum_week(runtime: Runtime) -> list[int]:
    """Ana praises her E7, Bruno wants a feature in the app, Chloé complains about the
    battery, a spammer spams; Lena (48k followers) complains loudly."""
    ana, bruno, chloe = author("@ana"), author("@bruno"), author("@chloe")
    lena, spammer = author("@lena_rides", 48_200), author("@cheap_bikes")
    return publish(
        runtime,
        "forum",
        [
            (
                post(
                    "f1",
                    "Love my Rhône E7, best commute ever",
                    ana,
                    created_at="2026-11-02T08:00:00Z",
                ),
                PRAISE,
            ),
            (
                post(
                    "f2",
                    "Rhône E7 climbs like a dream",
                    ana,
                    created_at="2026-11-04T08:00:00Z",
                    thread_id="f1",
                ),
                PRAISE,
            ),
            (
                post(
                    "f3",
                    "Please add ride export to the VR Connect app",
                    bruno,
                    created_at="2026-11-03T09:00:00Z",
                ),
                REQUEST,
            ),
            (
                post(
                    "f4",
                    "The battery of my Rhône E7 died after 3 weeks",
                    chloe,
                    created_at="2026-11-05T10:00:00Z",
                ),
                COMPLAINT,
            ),
            (
                post(
                    "f5",
                    "Warranty rejected, Rhône E7 battery dead. Do not buy",
                    lena,
                    created_at="2026-11-06T07:42:00Z",
                ),
                COMPLAINT,
            ),
            (
                post(
                    "f6",
                    "Cheap bikes here http://spam.example",
                    spammer,
                    created_at="2026-11-06T08:00:00Z",
                ),
                SPAM,
            ),
        ],
    )
