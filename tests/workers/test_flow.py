"""Posts sent to the broker are judged by a worker with the same stages as in-process, thread by
thread in order, once: a message delivered twice changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from gardien.app.runtime import Runtime
from gardien.app.triage import triage_pending
from gardien.settings import Settings
from gardien.store.tables import PostRow, TriageRow
from gardien.workers.dispatch import BrokerRunner
from gardien.workers.worker import GardienWorker
from tests.factories import post
from tests.workers.conftest import counts, ingest, thread_of, wait_until

RUDE = "Tu es un connard, va te faire foutre"


def test_a_worker_judges_what_the_app_sends(runtime: Runtime, broker_settings: Settings) -> None:
    ingest(runtime, thread_of("a", 5) + thread_of("b", 5) + [post("rude", RUDE)])
    sender = BrokerRunner.from_settings(broker_settings, runtime.database)
    report = triage_pending(runtime.database, sender, runtime.context())
    assert report.judged == 11 and sender.sent == 11
    worker = GardienWorker(broker_settings)
    worker.start()
    try:
        wait_until(lambda: counts(runtime.database)["pending"] == 0, 30)
    finally:
        worker.stop()
        sender.close()
    after = counts(runtime.database)
    assert after["triage"] == 11 and after["items"] >= 1
    with runtime.database.session() as session:
        judged_at = dict(
            session.execute(
                select(PostRow.external_id, TriageRow.triaged_at).join(
                    TriageRow, TriageRow.post_id == PostRow.id
                )
            ).all()
        )
    assert all(judged_at[f"a-{n}"] <= judged_at[f"a-{n + 1}"] for n in range(4))


def test_a_message_delivered_twice_changes_nothing(
    runtime: Runtime, broker_settings: Settings
) -> None:
    ingest(runtime, [*thread_of("c", 3), post("rude", RUDE)])
    with runtime.database.session() as session:
        ids = list(session.scalars(select(PostRow.id).order_by(PostRow.id)))
    sender = BrokerRunner.from_settings(broker_settings, runtime.database)
    assert sender.send(ids) and sender.send(ids) and sender.send(ids[-1:])
    worker = GardienWorker(broker_settings)
    worker.start()
    try:
        wait_until(lambda: counts(runtime.database)["pending"] == 0, 30)
        first = counts(runtime.database)
        assert sender.send(ids)  # redelivered after it was judged
        wait_until(lambda: _queue_empty(broker_settings), 30)
    finally:
        worker.stop()
        sender.close()
    assert counts(runtime.database) == first
    assert first["triage"] == 4


def _queue_empty(settings: Settings) -> bool:
    from gardien.workers.broker import queue_depths

    return sum(queue_depths(settings).values()) == 0
