"""A poison message ends in the dead-letter queue with its error after a bounded number of
retries while the rest flow on; a broker restart in the middle of a run loses nothing."""

from __future__ import annotations

import json
import subprocess

import pika
import pytest
from sqlalchemy import select

from gardien.app.runtime import Runtime
from gardien.app.triage import triage_pending
from gardien.settings import Settings
from gardien.store.tables import PostRow
from gardien.workers import deadletters
from gardien.workers.dispatch import BrokerRunner
from gardien.workers.worker import GardienWorker
from tests.factories import post
from tests.workers.conftest import counts, ingest, thread_of, wait_until
from tests.workers.stages import POISON, poison_pipeline, slow_pipeline


def test_a_poison_post_is_dead_lettered_with_its_error_and_the_rest_flow_on(
    runtime: Runtime, broker_settings: Settings
) -> None:
    ingest(
        runtime, [*thread_of("a", 4), post("bad", f"Je casse tout {POISON}"), *thread_of("b", 4)]
    )
    sender = BrokerRunner.from_settings(broker_settings, runtime.database)
    worker = GardienWorker(broker_settings, poison_pipeline())
    worker.start()
    try:
        triage_pending(runtime.database, sender, runtime.context())
        wait_until(lambda: _dead(runtime) != [], 30)
        wait_until(lambda: counts(runtime.database)["pending"] == 1, 30)
        sender.sent = 0
        triage_pending(runtime.database, sender, runtime.context())
        assert sender.sent == 0  # the sweep leaves the dead post alone
    finally:
        worker.stop()
    [letter] = _dead(runtime)
    assert letter.actor == "judge_posts" and letter.retries == broker_settings.worker_max_retries
    assert "ValueError: cannot judge post bad" in letter.error
    with runtime.database.session() as session:
        bad = session.scalar(select(PostRow.id).where(PostRow.external_id == "bad"))
    assert letter.arguments["args"] == [[bad]]
    queued = _dead_letter_queue(broker_settings)
    assert [body["args"] for body in queued] == [[[bad]]]
    assert "cannot judge post bad" in queued[0]["options"]["traceback"]

    sender.sent = 0
    assert deadletters.requeue(runtime.database, sender, letter.id, "user:ops") == [bad]
    assert sender.sent == 1
    sender.close()


def _dead(runtime: Runtime) -> list[deadletters.DeadLetter]:
    with runtime.database.session() as session:
        return deadletters.dead_letters(session)


def _dead_letter_queue(settings: Settings) -> list[dict[str, object]]:
    connection = pika.BlockingConnection(pika.URLParameters(settings.broker_url.get_secret_value()))
    try:
        channel = connection.channel()
        bodies = []
        while True:
            method, _properties, body = channel.basic_get(f"{settings.queue_prefix}.judge.XQ")
            if method is None:
                return bodies
            bodies.append(json.loads(body))
    finally:
        connection.close()


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


@pytest.mark.slow
def test_a_broker_restart_mid_run_loses_nothing(
    runtime: Runtime, broker_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GARDIEN_TEST_SLOW_SECONDS", "0.4")
    records = [record for name in "abcdefghijklmnop" for record in thread_of(name, 3)]
    ingest(runtime, records)
    sender = BrokerRunner.from_settings(broker_settings, runtime.database)
    triage_pending(runtime.database, sender, runtime.context())
    worker = GardienWorker(broker_settings, slow_pipeline())
    worker.start()
    try:
        wait_until(lambda: counts(runtime.database)["pending"] < len(records), 30, every=0.01)
        try:
            _rabbitmqctl("stop_app")
            assert counts(runtime.database)["pending"] > 0  # stopped mid-run
        finally:
            _rabbitmqctl("start_app")
            _rabbitmqctl("await_startup")
        wait_until(lambda: counts(runtime.database)["pending"] == 0, 60)
    finally:
        worker.stop()
        sender.close()
    after = counts(runtime.database)
    assert after["triage"] == after["posts"] == len(records)
