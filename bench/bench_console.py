"""The moderation queue with 100,000 posts in SQLite: the console page and its API, signed in with
a token, against a plain SELECT of the same rows run in the same process.

Goal (issue 8): the queue page answers in < 200 ms with 100,000 posts in the database."""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert, text

from gardien.actions import accounts
from gardien.app.runtime import Runtime
from gardien.domain import Channel, Community, utcnow
from gardien.settings import Settings
from gardien.store import migrate
from gardien.store.communities import ensure_channel, ensure_community
from gardien.store.tables import AuthorRow, PostRow, TriageRow
from gardien.store.tables_members import ModerationItemRow
from gardien.web.app import create_app

POSTS = int(os.environ.get("GARDIEN_BENCH_POSTS", "100000"))
HELD_SHARE = 0.2
RUNS = 25
GOAL_MS = 200.0
REASON = [
    {
        "kind": "word",
        "message": "watched word 'connard'",
        "action": "flag",
        "rule": "insultes",
        "span": {"start": 8, "end": 15},
    }
]


def populate(runtime: Runtime) -> str:
    """POSTS posts over two communities, a fifth of them held for review; an admin's token."""
    rng = random.Random(8)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with runtime.database.session() as session:
        ids = {}
        for slug in ("velo", "trail"):
            ids[slug] = ensure_community(session, Community(slug=slug, name=slug)).id
            ensure_channel(session, Channel(name=f"{slug}-forum", kind="file", community=slug))
        channels: dict[str, int] = dict(
            session.execute(text("SELECT name, id FROM channels")).all()
        )
        session.execute(
            insert(AuthorRow),
            [
                {
                    "id": i + 1,
                    "channel_id": channels["velo-forum" if i % 2 else "trail-forum"],
                    "external_id": f"a{i}",
                    "handle": f"@a{i}",
                    "display_name": "",
                    "followers": i % 900,
                    "extra": {},
                }
                for i in range(5000)
            ],
        )
        posts, triage, items = [], [], []
        for n in range(1, POSTS + 1):
            author = rng.randrange(5000)
            channel = channels["velo-forum" if author % 2 else "trail-forum"]
            at = start + timedelta(seconds=n * 30)
            held = rng.random() < HELD_SHARE
            body = f"Tu es un connard, message {n}" if held else f"Belle sortie n°{n} ce matin"
            posts.append(
                {
                    "id": n,
                    "channel_id": channel,
                    "external_id": f"p{n}",
                    "author_id": author + 1,
                    "thread_id": f"p{n - n % 5}",
                    "parent_id": None,
                    "text": body,
                    "original_text": body,
                    "language_hint": None,
                    "created_at": at,
                    "edited_at": None,
                    "received_at": at,
                    "likes": 0,
                    "replies": 0,
                    "shares": 0,
                    "visibility": "public",
                    "url": None,
                    "extra": {},
                    "triaged_at": at,
                }
            )
            triage.append(
                {
                    "post_id": n,
                    "language": "fr",
                    "language_confidence": 0.9,
                    "signals": {},
                    "action": "flag" if held else "allow",
                    "queue": "moderation" if held else "none",
                    "department": None,
                    "reasons": REASON if held else [],
                    "policy_version": "v1",
                    "triaged_at": at,
                }
            )
            if held:
                items.append(
                    {
                        "post_id": n,
                        "community_id": ids["velo" if author % 2 else "trail"],
                        "action": "flag",
                        "severity": rng.choice((1.0, 2.0, 3.0)),
                        "status": "open",
                        "claimed_by": None,
                        "claim_expires_at": None,
                        "created_at": at,
                        "resolved_by": None,
                        "resolved_at": None,
                        "rule": "insultes",
                    }
                )
        for table, rows in ((PostRow, posts), (TriageRow, triage), (ModerationItemRow, items)):
            for chunk in range(0, len(rows), 20_000):
                session.execute(insert(table), rows[chunk : chunk + 20_000])
        accounts.do_create_user(
            session, "bench", "bench password", actor="bench", now=utcnow(), is_admin=True
        )
        token = accounts.do_issue_token(session, "bench", "bench", actor="bench", now=utcnow())
    with runtime.database.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
    return token


def timed(call: Callable[[], object]) -> float:
    """Median wall time of `call` in milliseconds (after one warm-up)."""
    call()
    samples = []
    for _ in range(RUNS):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


BASELINE = """
SELECT m.id, m.severity, m.status, m.claimed_by, c.slug, p.id, p.text, p.created_at, a.handle,
       ch.name, t.action, t.reasons
FROM moderation_items m JOIN communities c ON c.id = m.community_id
JOIN posts p ON p.id = m.post_id JOIN authors a ON a.id = p.author_id
JOIN channels ch ON ch.id = p.channel_id LEFT JOIN triage t ON t.post_id = p.id
WHERE m.status = 'open' AND c.slug IN ('trail', 'velo')
ORDER BY m.severity DESC, m.id LIMIT 50"""


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), session_secret="bench")
        runtime = Runtime.start(settings)
        migrate.upgrade(runtime.database)
        began = time.perf_counter()
        token = populate(runtime)
        print(f"{POSTS:,} posts loaded in {time.perf_counter() - began:.1f} s")
        headers = {"Authorization": f"Bearer {token}"}
        with (
            TestClient(create_app(runtime), headers=headers) as client,
            runtime.database.engine.connect() as raw,
        ):

            def get(path: str) -> Callable[[], object]:
                def call() -> object:
                    response = client.get(path)
                    assert response.status_code == 200, response.text
                    return response

                return call

            baseline = timed(lambda: raw.execute(text(BASELINE)).all())
            rows = [
                ("plain SELECT of the 50 rows (baseline)", baseline),
                ("GET /console/queue (HTML page)", timed(get("/console/queue"))),
                ("GET /api/v1/moderation/items", timed(get("/api/v1/moderation/items"))),
                ("GET /api/v1/queues/moderation", timed(get("/api/v1/queues/moderation"))),
                ("GET /console (overview)", timed(get("/console"))),
            ]
        runtime.database.dispose()
    for name, ms in rows:
        verdict = "" if name.startswith("plain") else ("  ok" if ms < GOAL_MS else "  OVER GOAL")
        print(f"{name:42s} {ms:8.1f} ms  ×{ms / baseline:6.1f} baseline{verdict}")
    print(
        f"goal: the queue page < {GOAL_MS:.0f} ms with {POSTS:,} posts (SQLite, median of {RUNS})"
    )
