"""The outbox: queued once per key, delivered with retries, nothing lost across a crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gardien.actions import audit, outbox
from gardien.domain import AuditEntry, OutboundAction
from gardien.store.db import Database
from gardien.store.tables import OutboxRow

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
HIDE = OutboundAction(channel="forum", kind="hide", target="post-1", payload={"reason": "spam"})


def statuses(database: Database) -> list[tuple[str, str, int]]:
    with database.session() as session:
        return [(r.key, r.status, r.attempts) for r in session.scalars(select(OutboxRow))]


def test_queueing_the_same_key_twice_queues_once(database: Database) -> None:
    with database.session() as session:
        outbox.enqueue(session, "hide:post-1", HIDE, NOW)
        outbox.enqueue(session, "hide:post-1", HIDE, NOW)
    assert statuses(database) == [("hide:post-1", "pending", 0)]


def test_a_crash_before_delivery_loses_nothing_and_delivers_once(database: Database) -> None:
    with database.session() as session:  # the decision's transaction queues the action …
        outbox.enqueue(session, "hide:post-1", HIDE, NOW)
    # … and the process dies here. After a restart the delivery loop finds it:
    delivered: list[str] = []
    report = outbox.deliver_due(database, lambda key, action: delivered.append(key), NOW)
    again = outbox.deliver_due(database, lambda key, action: delivered.append(key), NOW)
    assert (report.delivered, again.delivered, delivered) == (1, 0, ["hide:post-1"])
    assert statuses(database) == [("hide:post-1", "done", 0)]


def test_failures_are_retried_with_backoff_then_given_up(database: Database) -> None:
    with database.session() as session:
        outbox.enqueue(session, "k", HIDE, NOW)

    def broken(key: str, action: OutboundAction) -> None:
        raise ConnectionError("platform down")

    first = outbox.deliver_due(database, broken, NOW, max_attempts=2)
    too_soon = outbox.deliver_due(database, broken, NOW + timedelta(seconds=10), max_attempts=2)
    last = outbox.deliver_due(database, broken, NOW + timedelta(minutes=1), max_attempts=2)
    assert (first.retried, too_soon.retried + too_soon.dead, last.dead) == (1, 0, 1)
    with database.session() as session:
        row = session.scalars(select(OutboxRow)).one()
        assert row.status == "dead" and row.last_error == "ConnectionError: platform down"
        assert outbox.requeue_dead(session, "k", NOW)
    assert statuses(database) == [("k", "pending", 0)]


def test_a_permanent_failure_is_not_retried(database: Database) -> None:
    with database.session() as session:
        outbox.enqueue(session, "k", HIDE, NOW)

    def gone(key: str, action: OutboundAction) -> None:
        raise outbox.PermanentFailure("post no longer exists")

    assert outbox.deliver_due(database, gone, NOW).dead == 1


def test_a_leased_row_is_not_taken_by_a_second_deliverer(database: Database) -> None:
    with database.session() as session:
        outbox.enqueue(session, "k", HIDE, NOW)
    seen: list[str] = []

    def slow(key: str, action: OutboundAction) -> None:
        # while the first deliverer works, a second one finds nothing due
        inner = outbox.deliver_due(database, lambda k, a: seen.append("second"), NOW)
        assert inner.delivered == 0
        seen.append("first")

    outbox.deliver_due(database, slow, NOW)
    assert seen == ["first"]


@pytest.mark.parametrize("text", [None, "spam"])
def test_the_audit_log_is_searchable(database: Database, text: str | None) -> None:
    with database.session() as session:
        audit.record(
            session,
            AuditEntry(NOW, "rule:no-spam", "hide", "post:1", "spam link", community_id=None),
        )
        audit.record(
            session, AuditEntry(NOW, "mod:ana", "warn", "member:7", "rude", community_id=None)
        )
    with database.session() as session:
        found = audit.search(session, audit.AuditFilter(text=text))
    assert [entry.actor for _, entry in found] == (
        ["rule:no-spam"] if text else ["mod:ana", "rule:no-spam"]
    )
