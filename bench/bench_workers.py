"""Workers on the real broker: the same batch of posts judged by 1 and then 2 `gardien worker`
processes (posts/s and the ratio), and the end-to-end latency (arrival → decision, p50/p99) under
a steady load of 500 posts/s for a bounded time. PostgreSQL (the scale-out store) when reachable,
else SQLite; RabbitMQ and Redis on 127.0.0.1. Other processes loading the CPU skew the ratio:
the load average is printed beside it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg
from sqlalchemy import func, select

from gardien.channels.file_import import ingest_stream
from gardien.channels.parse import Limits, iter_jsonl
from gardien.demo.bundle import iter_channel_lines, load_manifest
from gardien.domain import Channel, Community
from gardien.settings import Settings
from gardien.store import migrate
from gardien.store.communities import ensure_channel, ensure_community
from gardien.store.db import Database, make_engine
from gardien.store.tables import ChannelRow, PostRow, TriageRow
from gardien.workers.broker import delete_queues
from gardien.workers.dispatch import BrokerRunner

POSTS = int(os.environ.get("GARDIEN_BENCH_WORKER_POSTS", "2000"))
RATE = int(os.environ.get("GARDIEN_BENCH_WORKER_RATE", "500"))
SECONDS = float(os.environ.get("GARDIEN_BENCH_WORKER_SECONDS", "10"))
PG_ADMIN = os.environ.get("GARDIEN_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
WEBHOOK_REQUESTS = int(os.environ.get("GARDIEN_BENCH_WEBHOOK_REQUESTS", "2000"))
CLIENTS = 8
ROOT = Path(__file__).resolve().parents[1]


def texts() -> list[str]:
    return [
        json.loads(raw)["text"]
        for channel in load_manifest().channels
        for raw in iter_channel_lines(channel.name)
    ]


def records(prefix: str, count: int, corpus: list[str]) -> bytes:
    """`count` posts in threads of five, texts cycling over the demo's."""
    lines = [
        {
            "id": f"{prefix}-{n}",
            "text": corpus[n % len(corpus)],
            "created_at": "2026-11-01T10:00:00Z",
            "author": {"id": f"u{n % 97}", "followers": n % 5000},
            "thread_id": f"{prefix}-{n - n % 5}",
        }
        for n in range(count)
    ]
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


@contextmanager
def database() -> Iterator[tuple[str, Database]]:
    """A fresh migrated database: PostgreSQL if it answers, else SQLite in a temporary folder."""
    name = f"gardien_bench_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
    except psycopg.Error:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='gardien-bench-')}/gardien.db"
    db = Database(make_engine(url))
    try:
        migrate.upgrade(db)
        with db.session() as session:
            ensure_community(session, Community(slug="velo", name="Vélo", locales=("fr", "en")))
            for channel in ("warm", "run-1", "run-2", "steady", "within"):
                ensure_channel(session, Channel(name=channel, kind="file", community="velo"))
        yield url, db
    finally:
        db.dispose()
        if url.startswith("postgresql"):
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def ingest(db: Database, channel: str, body: bytes) -> list[int]:
    """Store the posts; the ids of those just stored, oldest first."""
    with db.session() as session:
        before = session.scalar(select(func.max(PostRow.id))) or 0
    ingest_stream(db, channel, f"bench:{uuid.uuid4().hex}", iter_jsonl(io.BytesIO(body), Limits()))
    with db.session() as session:
        return list(
            session.scalars(
                select(PostRow.id)
                .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
                .where(ChannelRow.name == channel, PostRow.id > before)
                .order_by(PostRow.id)
            )
        )


def pending(db: Database, channel: str) -> int:
    with db.session() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(PostRow)
                .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
                .where(ChannelRow.name == channel, PostRow.triaged_at.is_(None))
            )
            or 0
        )


def send(sender: BrokerRunner, ids: list[int], size: int = 50) -> None:
    for start in range(0, len(ids), size):
        sender.send(ids[start : start + size])


def wait_judged(db: Database, channel: str, timeout: float) -> float:
    began = time.perf_counter()
    while pending(db, channel):
        if time.perf_counter() - began > timeout:
            raise TimeoutError(f"{channel}: {pending(db, channel)} posts still pending")
        time.sleep(0.02)
    return time.perf_counter() - began


@contextmanager
def workers(settings: Settings, count: int, logs: Path) -> Iterator[None]:
    env = {
        **os.environ,
        "GARDIEN_DATABASE_URL": settings.database_url,
        "GARDIEN_QUEUE_PREFIX": settings.queue_prefix,
        "PYTHONPATH": str(ROOT),
    }
    processes, files = [], []
    for n in range(count):
        log = (logs / f"worker-{settings.queue_prefix}-{n}.log").open("wb")
        files.append(log)
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "gardien.workers"], env=env, stdout=log, stderr=log
            )
        )
    try:
        deadline = time.monotonic() + 120
        while not all(
            b"worker started" in (logs / f"worker-{settings.queue_prefix}-{n}.log").read_bytes()
            for n in range(count)
        ):
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise RuntimeError(f"workers did not start; see {logs}")
            time.sleep(0.1)
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            with suppress(subprocess.TimeoutExpired):
                process.wait(30)
            if process.poll() is None:
                process.kill()
        for log in files:
            log.close()


def throughput(url: str, db: Database, corpus: list[str], count: int, logs: Path) -> float:
    """Posts/s of `count` worker processes over POSTS posts (after a warm-up)."""
    settings = Settings(database_url=url, queue_prefix=f"gardien-bench-{uuid.uuid4().hex[:8]}")
    sender = BrokerRunner.from_settings(settings, db)
    try:
        with workers(settings, count, logs):
            warm = ingest(db, "warm", records(f"warm{count}", 100 * count, corpus))
            send(sender, warm, 25)
            wait_judged(db, "warm", 120)
            ids = ingest(db, f"run-{count}", records(f"run{count}", POSTS, corpus))
            began = time.perf_counter()
            send(sender, ids)
            wait_judged(db, f"run-{count}", 600)
            return POSTS / (time.perf_counter() - began)
    finally:
        sender.close()
        delete_queues(settings)


def latency(
    url: str, db: Database, corpus: list[str], logs: Path, rate: int, channel: str
) -> tuple[float, float, int, float]:
    """Arrival → decision with posts arriving at `rate` posts/s for SECONDS (two workers):
    p50 and p99 in ms, posts judged, and the arrival rate the producer actually reached."""
    settings = Settings(database_url=url, queue_prefix=f"gardien-bench-{uuid.uuid4().hex[:8]}")
    sender = BrokerRunner.from_settings(settings, db)
    tick, sent = 0.1, 0
    per_tick = max(1, int(rate * tick))
    try:
        with workers(settings, 2, logs):
            warm = ingest(db, "warm", records(f"warm-{channel}", 200, corpus))
            send(sender, warm, 25)
            wait_judged(db, "warm", 120)
            began = time.perf_counter()
            while time.perf_counter() - began < SECONDS:
                body = records(f"{channel}{sent}", per_tick, corpus)
                send(sender, ingest(db, channel, body), 25)
                sent += per_tick
                next_tick = began + (sent / per_tick) * tick
                time.sleep(max(0.0, next_tick - time.perf_counter()))
            arrival = sent / (time.perf_counter() - began)
            wait_judged(db, channel, 600)
    finally:
        sender.close()
        delete_queues(settings)
    with db.session() as session:
        rows = session.execute(
            select(PostRow.received_at, TriageRow.triaged_at)
            .join(TriageRow, TriageRow.post_id == PostRow.id)
            .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
            .where(ChannelRow.name == channel)
        ).all()
    waits = sorted((judged - arrived).total_seconds() * 1000 for arrived, judged in rows)
    p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))]
    return waits[len(waits) // 2], p99, len(waits), arrival


def main() -> None:
    corpus = texts()
    logs = Path(tempfile.mkdtemp(prefix="gardien-bench-workers-"))
    with database() as (url, db):
        backend = url.split(":", 1)[0]
        print(f"store: {backend}; {POSTS} posts; load average before: {os.getloadavg()[0]:.1f}")
        one = throughput(url, db, corpus, 1, logs)
        two = throughput(url, db, corpus, 2, logs)
        print(f"1 worker : {one:8.0f} posts/s")
        print(f"2 workers: {two:8.0f} posts/s   ratio {two / one:.2f}x (goal ≥ 1.7x on 2 cores)")
        print(f"load average after: {os.getloadavg()[0]:.1f} (other processes share the cores)")
        for rate, channel in ((RATE, "steady"), (int(two * 0.7), "within")):
            p50, p99, judged, arrival = latency(url, db, corpus, logs, rate, channel)
            print(
                f"steady {rate} posts/s asked ({arrival:.0f}/s reached) for {SECONDS:.0f} s, "
                f"2 workers: {judged} posts, arrival → decision p50 {p50:.0f} ms, p99 {p99:.0f} ms"
            )
    hook = webhook_load()
    print(
        f"webhook on 127.0.0.1 ({CLIENTS} clients, 5 posts a request, judged inline): "
        f"{hook['requests']:.0f} requests, {hook['errors']:.0f} errors, "
        f"{hook['requests_per_s']:.0f} requests/s = {hook['posts_per_s']:.0f} posts/s, "
        f"p50 {hook['p50_ms']:.0f} ms, p99 {hook['p99_ms']:.0f} ms"
    )


def webhook_load(requests: int = WEBHOOK_REQUESTS, seconds: float = 20.0) -> dict[str, float]:
    """A bounded load test of the signed webhook on 127.0.0.1 (inline triage, SQLite): a few
    concurrent clients, each request one small JSONL body; stops at `requests` or `seconds`."""
    import asyncio
    import socket
    import threading

    import httpx
    import uvicorn

    from gardien.app.runtime import Runtime
    from gardien.channels import webhook
    from gardien.web.app import create_app

    data = Path(tempfile.mkdtemp(prefix="gardien-bench-webhook-"))
    settings = Settings(data_dir=data, webhook_secret="bench-secret")
    runtime = Runtime.start(settings)
    migrate.upgrade(runtime.database)
    with runtime.database.session() as session:
        ensure_community(session, Community(slug="velo", name="Vélo", locales=("fr", "en")))
        ensure_channel(session, Channel(name="hook", kind="webhook", community="velo"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    corpus = texts()
    statuses: dict[int, int] = {}
    waits: list[float] = []

    async def send_one(http: httpx.AsyncClient, name: str) -> None:
        body = records(name, 5, corpus)
        now = int(time.time())
        headers = {
            webhook.TIMESTAMP_HEADER: str(now),
            webhook.SIGNATURE_HEADER: webhook.sign("bench-secret", now, body),
            "Content-Type": "application/x-ndjson",
        }
        began = time.perf_counter()
        try:
            answer = await http.post("/api/v1/ingest/hook", content=body, headers=headers)
            status = answer.status_code
        except httpx.HTTPError:
            status = 0  # no answer in time: counted as an error
        waits.append(time.perf_counter() - began)
        statuses[status] = statuses.get(status, 0) + 1

    async def client(number: int, deadline: float) -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for n in range(number, requests, CLIENTS):
                if time.perf_counter() > deadline:
                    return
                await send_one(http, f"hook{n}")

    async def load() -> float:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            await send_one(http, "warm")  # models and policies load once, before the clock
        statuses.clear()
        waits.clear()
        began = time.perf_counter()
        await asyncio.gather(*(client(n, began + seconds) for n in range(CLIENTS)))
        return time.perf_counter() - began

    try:
        elapsed = asyncio.run(load())
    finally:
        server.should_exit = True
        thread.join(10)
        runtime.database.dispose()
    waits.sort()
    done = len(waits)
    return {
        "requests": done,
        "errors": done - statuses.get(200, 0),
        "requests_per_s": done / elapsed,
        "posts_per_s": 5 * statuses.get(200, 0) / elapsed,
        "p50_ms": waits[done // 2] * 1000,
        "p99_ms": waits[min(done - 1, int(done * 0.99))] * 1000,
    }
