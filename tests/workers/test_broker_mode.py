"""Broker mode end to end: the webhook stores and sends (it does not judge), a worker judges,
/readyz checks the broker and Redis, /metrics shows the queues; the scheduler's jobs run on the
workers and the sweep sends whatever was never sent."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gardien.app.runtime import Runtime
from gardien.app.triage import triage_pending
from gardien.channels import webhook
from gardien.domain.time import utcnow
from gardien.settings import Settings
from gardien.store.db import Database
from gardien.store.tables_judgement import TextShapeRow
from gardien.web.app import create_app
from gardien.workers.dispatch import BrokerRunner
from gardien.workers.jobs import JOBS, run_job
from gardien.workers.scheduler import Scheduler
from gardien.workers.tasks import Services
from gardien.workers.worker import GardienWorker
from tests.factories import jsonl, post
from tests.workers.conftest import counts, ingest, thread_of, wait_until


def signed(body: bytes) -> dict[str, str]:
    now = int(time.time())
    return {
        webhook.TIMESTAMP_HEADER: str(now),
        webhook.SIGNATURE_HEADER: webhook.sign("forum-secret", now, body),
        "Content-Type": "application/x-ndjson",
    }


def test_the_webhook_sends_and_a_worker_judges(
    broker_settings: Settings, database: Database, runtime: Runtime
) -> None:
    app_runtime = Runtime.start(broker_settings, database)
    assert isinstance(app_runtime.runner, BrokerRunner)
    with TestClient(create_app(app_runtime)) as client:
        for n in range(20):
            body = jsonl(thread_of(f"h{n}", 3))
            answer = client.post("/api/v1/ingest/forum", content=body, headers=signed(body))
            assert answer.status_code == 200 and answer.json()["new"] == 3
        assert counts(database)["pending"] == 60  # stored and sent, judged elsewhere
        ready = client.get("/readyz").json()
        assert ready["checks"] == {"database": "ok", "broker": "ok", "redis": "ok"}
        metrics = client.get("/metrics").text
        assert f'gardien_queue_depth{{queue="{broker_settings.queue_prefix}.judge"}}' in metrics
        worker = GardienWorker(broker_settings)
        worker.start()
        try:
            wait_until(lambda: counts(database)["pending"] == 0, 30)
        finally:
            worker.stop()
            app_runtime.runner.close()  # type: ignore[attr-defined]


def test_the_scheduler_sends_jobs_and_the_sweep_sends_what_was_never_sent(
    broker_settings: Settings, database: Database, runtime: Runtime
) -> None:
    ingest(runtime, thread_of("s", 4))  # stored, never sent (say, the broker was down)
    scheduler = Scheduler.from_settings(broker_settings)
    worker = GardienWorker(broker_settings)
    worker.start()
    try:
        assert scheduler.tick(1_000.0) == [job.name for job in JOBS]
        assert scheduler.tick(1_001.0) == []  # nothing due a second later
        assert scheduler.tick(1_005.0) == ["sweep_pending"]
        wait_until(lambda: counts(database)["pending"] == 0, 30)
    finally:
        worker.stop()
        scheduler.broker.close()
        scheduler.client.close()


@pytest.mark.parametrize("job", [job.name for job in JOBS])
def test_every_job_runs_cleanly(
    job: str, broker_settings: Settings, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    services = Services.build(broker_settings)
    try:
        with caplog.at_level(logging.INFO, logger="gardien.workers.jobs"):
            run_job(services, job)
    finally:
        services.close()
    assert [record.message for record in caplog.records] == ["job done"]


def test_the_member_upkeep_job_prunes_old_text_shapes(
    broker_settings: Settings,
    runtime: Runtime,
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Shapes of posts from three days ago are beyond the look-back and its margin."""
    three_days_ago = (utcnow() - timedelta(days=3)).isoformat()
    text = "Suivez ma chaîne pour des tests de vélos électriques, nouvelle vidéo chaque semaine"
    ingest(runtime, [post(f"old-{n}", text, created_at=three_days_ago) for n in range(3)])
    triage_pending(database, runtime.runner, runtime.context())
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(TextShapeRow)) == 3
    services = Services.build(broker_settings)
    try:
        with caplog.at_level(logging.INFO, logger="gardien.workers.jobs"):
            run_job(services, "refresh_members")
    finally:
        services.close()
    [done] = caplog.records
    assert done.outcome == "1 members refreshed, 3 text shapes pruned"  # type: ignore[attr-defined]
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(TextShapeRow)) == 0
