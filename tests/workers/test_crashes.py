"""Nothing lost, nothing twice: a worker process killed with SIGKILL in the middle of a batch,
and one stopped with SIGTERM (which finishes the batch in hand and returns the rest)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gardien.app.runtime import Runtime
from gardien.app.triage import triage_pending
from gardien.settings import Settings
from gardien.store.tables import TriageRow
from gardien.store.tables_care import CaseRow
from gardien.workers.dispatch import BrokerRunner
from tests.workers.conftest import counts, ingest, thread_of, wait_until

ROOT = Path(__file__).resolve().parents[2]
RUDE = "Tu es un connard, va te faire foutre"


class Workers:
    """`gardien worker` processes on the test's queues and database."""

    def __init__(self, settings: Settings, marks: Path) -> None:
        self.marks = marks
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "GARDIEN_DATABASE_URL": settings.database_url,
            "GARDIEN_QUEUE_PREFIX": settings.queue_prefix,
            "GARDIEN_WORKER_MIN_BACKOFF_MS": "50",
            "GARDIEN_TEST_MARKS": str(marks),
            "GARDIEN_TEST_SLOW_SECONDS": "0.25",
        }
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gardien.workers",
                "--pipeline",
                "tests.workers.stages:slow_pipeline",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.started.append(process)
        return process

    def mid_batch(self, process: subprocess.Popen[bytes]) -> None:
        """Wait until the process is inside a batch (its slow stage left its mark)."""
        wait_until(lambda: (self.marks / f"started-{process.pid}").exists(), 60, every=0.02)

    def close(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
            process.wait()


@pytest.fixture
def workers(broker_settings: Settings, tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(broker_settings, tmp_path)
    yield pool
    pool.close()


@pytest.mark.slow
def test_a_killed_worker_loses_no_post_and_duplicates_nothing(
    runtime: Runtime, broker_settings: Settings, workers: Workers
) -> None:
    posts = [record for name in "abcdef" for record in thread_of(name, 5)]
    posts += [{**record, "text": RUDE} for record in thread_of("rude", 4)]
    ingest(runtime, posts)
    sender = BrokerRunner.from_settings(broker_settings, runtime.database)
    triage_pending(runtime.database, sender, runtime.context())
    sender.close()

    victim, polite = workers.start(), workers.start()
    workers.mid_batch(victim)
    victim.send_signal(signal.SIGKILL)
    assert victim.wait(10) == -signal.SIGKILL
    assert counts(runtime.database)["pending"] > 0  # its batch rolled back, its message unacked

    workers.mid_batch(polite)
    before = counts(runtime.database)["pending"]
    polite.send_signal(signal.SIGTERM)
    assert polite.wait(30) == 0  # finished the batch in hand, returned the rest, exited
    assert 0 < counts(runtime.database)["pending"] < before

    workers.start()
    wait_until(lambda: counts(runtime.database)["pending"] == 0, 90)
    after = counts(runtime.database)
    assert after["posts"] == after["triage"] == len(posts)
    with runtime.database.session() as session:
        moderation = session.scalar(
            select(func.count()).select_from(TriageRow).where(TriageRow.queue == "moderation")
        )
        per_post = session.execute(
            select(CaseRow.post_id, func.count()).group_by(CaseRow.post_id)
        ).all()
    assert after["items"] == moderation and moderation >= 4
    assert all(count == 1 for _, count in per_post)
