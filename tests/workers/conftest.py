"""Worker tests run against the machine's real RabbitMQ and Redis, each test on its own queues
(a unique prefix), removed afterwards."""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from sqlalchemy import func, select

from gardien.app.runtime import Runtime
from gardien.channels.file_import import ingest_stream
from gardien.channels.parse import iter_jsonl
from gardien.settings import Settings
from gardien.store.db import Database
from gardien.store.tables import OutboxRow, PostRow, TriageRow
from gardien.store.tables_members import ModerationItemRow
from gardien.workers.broker import delete_queues
from tests.factories import jsonl, post


@pytest.fixture
def broker_settings(runtime: Runtime, database: Database) -> Iterator[Settings]:
    """Settings for a broker run on the test database, with fast retries and unique queues."""
    prefix = f"gardien-test-{uuid.uuid4().hex[:10]}"
    settings = runtime.settings.model_copy(
        update={
            "database_url": database.engine.url.render_as_string(hide_password=False),
            "triage_mode": "broker",
            "queue_prefix": prefix,
            "worker_max_retries": 2,
            "worker_min_backoff_ms": 50,
            "worker_batch_size": 10,
        }
    )
    yield settings
    delete_queues(settings)
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def ingest(runtime: Runtime, records: list[dict[str, Any]]) -> None:
    """Store posts on the channel 'forum' (community 'velo'), without judging them."""
    stream = iter_jsonl(io.BytesIO(jsonl(records)), runtime.limits)
    ingest_stream(runtime.database, "forum", f"test:{uuid.uuid4().hex}", stream)


def thread_of(prefix: str, count: int, **fields: Any) -> list[dict[str, Any]]:
    """`count` posts in one thread: the first starts it, the others reply."""
    root = f"{prefix}-0"
    return [
        post(f"{prefix}-{n}", f"Message {n} du fil {prefix}", thread_id=root, **fields)
        for n in range(count)
    ]


def counts(database: Database) -> dict[str, int]:
    with database.session() as session:

        def count(table: Any, *where: Any) -> int:
            return session.scalar(select(func.count()).select_from(table).where(*where)) or 0

        return {
            "posts": count(PostRow),
            "pending": count(PostRow, PostRow.triaged_at.is_(None)),
            "triage": count(TriageRow),
            "items": count(ModerationItemRow),
            "outbox": count(OutboxRow),
        }


def wait_until(condition: Callable[[], bool], seconds: float, every: float = 0.1) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {seconds} s")
        time.sleep(every)
