"""Ingest throughput into SQLite and PostgreSQL against a plain driver `executemany` baseline of the
same rows, and in-process pipeline throughput on one core.

Goal (issue 3): ingest ≥ 20,000 posts/s into SQLite, and ≥ 0.5× the baseline."""

from __future__ import annotations

import io
import json
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from gardien.channels.file_import import ingest_stream
from gardien.channels.format import IncomingPost
from gardien.channels.parse import Limits, iter_jsonl
from gardien.domain import Channel, Community
from gardien.store import migrate
from gardien.store.communities import ensure_channel, ensure_community, find_channel
from gardien.store.db import Database, make_engine
from gardien.store.ingest import write_posts

POSTS = int(os.environ.get("GARDIEN_BENCH_POSTS", "50000"))
PG_ADMIN_URL = os.environ.get("GARDIEN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
WORDS = [
    "vélo",
    "commande",
    "livraison",
    "frein",
    "selle",
    "merci",
    "super",
    "nul",
    "retard",
    "roue",
    "app",
    "bug",
    "sortie",
    "dimanche",
    "route",
    "chain",
    "order",
    "broken",
    "great",
    "thanks",
    "love",
    "wheel",
    "delivery",
    "refund",
]


def sample_lines(count: int, seed: int = 7) -> bytes:
    """`count` varied JSONL posts from 2,000 authors."""
    rng = random.Random(seed)
    start = datetime(2026, 10, 1, tzinfo=UTC)
    out = io.BytesIO()
    for i in range(count):
        record = {
            "id": f"p{i}",
            "text": " ".join(rng.choices(WORDS, k=rng.randint(4, 30))),
            "created_at": (start + timedelta(seconds=i * 7)).isoformat(),
            "author": {
                "id": f"u{rng.randrange(2000)}",
                "handle": "@someone",
                "followers": rng.randrange(5000),
            },
            "thread_id": f"p{i - i % 5}",
            "likes": rng.randrange(50),
        }
        out.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
    return out.getvalue()


def fresh(url: str) -> Database:
    database = Database(make_engine(url))
    migrate.upgrade(database)
    with database.session() as session:
        ensure_community(session, Community("bench", "Bench"))
        ensure_channel(session, Channel("bench", "file", "bench"))
    return database


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def gardien_ingest(database: Database, data: bytes) -> None:
    ingest_stream(database, "bench", "bench", iter_jsonl(io.BytesIO(data), Limits()))


def gardien_write(database: Database, posts: list[IncomingPost]) -> None:
    """The store's write path alone, on records already parsed and validated."""
    received = datetime.now(UTC)
    for chunk in range(0, len(posts), 2000):
        with database.session() as session:
            channel = find_channel(session, "bench")
            write_posts(session, channel, posts[chunk : chunk + 2000], received)


def parsed_posts(data: bytes) -> list[IncomingPost]:
    return [item.post for item in iter_jsonl(io.BytesIO(data), Limits()) if item.post]


AUTHORS_SQL = (
    "INSERT INTO authors (id, channel_id, external_id, handle, display_name, followers, extra) "
    "VALUES ({0}, 1, {0}, {0}, '', {0}, '{{}}') ON CONFLICT DO NOTHING"
)
POSTS_SQL = (
    "INSERT INTO posts (id, channel_id, external_id, author_id, thread_id, text, original_text, "
    "created_at, received_at, likes, replies, shares, visibility, extra) "
    "VALUES ({0}, 1, {0}, {0}, {0}, {0}, {0}, {0}, {0}, {0}, 0, 0, 'public', '{{}}')"
)
MEMBERS_SQL = (
    "INSERT INTO members (community_id, author_id, joined_at, trust_level, strikes) "
    "VALUES (1, {0}, {0}, 0, 0) ON CONFLICT DO NOTHING"
)
SAMPLES_SQL = (
    "INSERT INTO engagement_samples (post_id, observed_at, likes, replies, shares) "
    "VALUES ({0}, {0}, {0}, 0, 0)"
)


def baseline_batch(
    lines: list[bytes], first_id: int, now: datetime
) -> list[list[tuple[object, ...]]]:
    """The rows Gardien writes for these lines (authors, posts, members, engagement), as the
    driver's tuples: json.loads and field picking only — no validation, no look-ups."""
    authors, posts, members, samples = [], [], [], []
    for offset, line in enumerate(lines):
        record = json.loads(line)
        author = record["author"]
        author_id = int(author["id"][1:]) + 1
        created = datetime.fromisoformat(record["created_at"]).replace(tzinfo=None)
        post_id = first_id + offset
        authors.append(
            (author_id, author["id"], author.get("handle", ""), author.get("followers", 0))
        )
        posts.append(
            (
                post_id,
                record["id"],
                author_id,
                record["thread_id"],
                record["text"],
                record["text"],
                created,
                now,
                record["likes"],
            )
        )
        members.append((author_id, created))
        samples.append((post_id, now, record["likes"]))
    return [authors, posts, members, samples]


def baseline_ingest(connection: Any, data: bytes, mark: str) -> float:
    """Plain executemany of the same rows, batch by batch, one transaction per batch."""
    lines = data.splitlines()
    now = datetime.now(UTC).replace(tzinfo=None)
    statements = [sql.format(mark) for sql in (AUTHORS_SQL, POSTS_SQL, MEMBERS_SQL, SAMPLES_SQL)]
    cursor = connection.cursor()
    began = time.perf_counter()
    for chunk in range(0, len(lines), 2000):
        rows = baseline_batch(lines[chunk : chunk + 2000], chunk + 1, now)
        for statement, values in zip(statements, rows, strict=True):
            cursor.executemany(statement, values)
        connection.commit()
    return time.perf_counter() - began


def baseline_sqlite(path: Path, data: bytes) -> float:
    database = fresh(f"sqlite:///{path}")
    raw = database.engine.raw_connection()
    try:
        return baseline_ingest(raw, data, "?")
    finally:
        raw.close()
        database.dispose()


def baseline_postgres(url: str, data: bytes) -> float:
    fresh(url).dispose()
    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        return baseline_ingest(connection, data, "%s")


def report(label: str, seconds: float, baseline: float) -> None:
    print(
        f"{label:<28} {POSTS / seconds:>10,.0f} posts/s   baseline executemany "
        f"{POSTS / baseline:>10,.0f} posts/s   ratio {baseline / seconds:.2f}×"
    )


def bench_sqlite(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = baseline_sqlite(Path(folder) / "baseline.db", data)
        database = fresh(f"sqlite:///{Path(folder) / 'gardien.db'}")
        seconds = timed(lambda: gardien_ingest(database, data))
        replay = timed(lambda: gardien_ingest(database, data))
        database.dispose()
        posts = parsed_posts(data)
        writer = fresh(f"sqlite:///{Path(folder) / 'write.db'}")
        write = timed(lambda: gardien_write(writer, posts))
        writer.dispose()
    report("ingest JSONL → SQLite", seconds, base)
    print(f"{'replay (no change) → SQLite':<30} {POSTS / replay:>10,.0f} posts/s")
    print(f"{'store write path → SQLite':<30} {POSTS / write:>10,.0f} posts/s (parsed records)")


def bench_postgres(data: bytes) -> None:
    names = [f"gardien_bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    base_url = PG_ADMIN_URL.rsplit("/", 1)[0]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base = baseline_postgres(f"{base_url}/{names[0]}", data)
        database = fresh(f"{base_url}/{names[1]}")
        seconds = timed(lambda: gardien_ingest(database, data))
        database.dispose()
        report("ingest JSONL → PostgreSQL", seconds, base)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    data = sample_lines(POSTS)
    print(
        f"{POSTS:,} posts from JSONL (2,000 authors), batches of 2,000, one transaction each. "
        "Baseline: json.loads of each line and the driver's plain executemany of the same rows "
        "(authors, posts, members, engagement points) with ids computed in Python — no "
        "validation, no look-ups, no idempotence."
    )
    bench_sqlite(data)
    bench_postgres(data)
