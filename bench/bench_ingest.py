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


def baseline_write(database: Database, rows: list[tuple[object, ...]], mark: str) -> float:
    """The baseline's write path alone: executemany of ready tuples into the posts table."""
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        began = time.perf_counter()
        for chunk in range(0, len(rows), 2000):
            cursor.executemany(BASELINE_SQL.format(mark), rows[chunk : chunk + 2000])
            raw.commit()
        return time.perf_counter() - began
    finally:
        raw.close()


def baseline_rows(lines: list[bytes]) -> list[tuple[object, ...]]:
    """The same posts as the driver's tuples: decode each JSON line, take its fields, no checks."""
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = []
    for line in lines:
        record = json.loads(line)
        created = datetime.fromisoformat(record["created_at"]).replace(tzinfo=None)
        rows.append(
            (
                1,
                record["id"],
                1,
                record["thread_id"],
                record["text"],
                record["text"],
                created,
                now,
                record["likes"],
                0,
                0,
                "public",
                "{}",
            )
        )
    return rows


BASELINE_SQL = (
    "INSERT INTO posts (channel_id, external_id, author_id, thread_id, text, original_text, "
    "created_at, received_at, likes, replies, shares, visibility, extra) "
    "VALUES ({0}, {0}, {0}, {0}, {0}, {0}, {0}, {0}, {0}, {0}, {0}, {0}, {0})"
)


def with_one_author(database: Database) -> Database:
    with database.session() as session:  # the baseline's rows all point at this author
        session.connection().exec_driver_sql(
            "INSERT INTO authors (channel_id, external_id, handle, display_name, followers, extra)"
            " VALUES (1, 'u', '', '', 0, '{}')"
        )
    return database


def baseline_sqlite(path: Path, data: bytes) -> float:
    database = with_one_author(fresh(f"sqlite:///{path}"))
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        lines = data.splitlines()
        began = time.perf_counter()
        for chunk in range(0, len(lines), 2000):
            cursor.executemany(BASELINE_SQL.format("?"), baseline_rows(lines[chunk : chunk + 2000]))
            raw.commit()
        return time.perf_counter() - began
    finally:
        raw.close()
        database.dispose()


def baseline_postgres(url: str, data: bytes) -> float:
    with_one_author(fresh(url)).dispose()
    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        lines = data.splitlines()
        began = time.perf_counter()
        with connection.cursor() as cursor:
            for chunk in range(0, len(lines), 2000):
                rows = baseline_rows(lines[chunk : chunk + 2000])
                cursor.executemany(BASELINE_SQL.format("%s"), rows)
                connection.commit()
        return time.perf_counter() - began


def report(label: str, seconds: float, baseline: float) -> None:
    print(
        f"{label:<28} {POSTS / seconds:>10,.0f} posts/s   baseline executemany "
        f"{POSTS / baseline:>10,.0f} rows/s   ratio {baseline / seconds:.2f}×"
    )


def bench_sqlite(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = baseline_sqlite(Path(folder) / "baseline.db", data)
        database = fresh(f"sqlite:///{Path(folder) / 'gardien.db'}")
        seconds = timed(lambda: gardien_ingest(database, data))
        replay = timed(lambda: gardien_ingest(database, data))
        database.dispose()
        posts, rows = parsed_posts(data), baseline_rows(data.splitlines())
        writer = fresh(f"sqlite:///{Path(folder) / 'write.db'}")
        write = timed(lambda: gardien_write(writer, posts))
        plain = with_one_author(fresh(f"sqlite:///{Path(folder) / 'plain.db'}"))
        plain_write = baseline_write(plain, rows, "?")
        writer.dispose()
        plain.dispose()
    report("ingest JSONL → SQLite", seconds, base)
    print(f"{'replay (no change) → SQLite':<30} {POSTS / replay:>10,.0f} posts/s")
    report("store write path → SQLite", write, plain_write)


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
        f"{POSTS:,} posts from JSONL, batches of 2,000, each batch one transaction; the "
        "baseline decodes each line with json.loads and inserts the post row with the "
        "driver's executemany (no validation, authors, members or engagement history)"
    )
    bench_sqlite(data)
    bench_postgres(data)
