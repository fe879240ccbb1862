"""The outbox: outbound channel actions queued in the same transaction as the decision that
caused them, then delivered by a separate loop with retries and backoff.

Guarantees: an action is queued once per idempotency key (queueing again is a no-op); a crash
after the decision but before delivery loses nothing (the row is there, pending); delivery is
at-least-once and the adapter receives the key so it can make the platform call idempotent
(check the remote state, or send the key where the platform accepts one). A row is marked done
only after the adapter returned; a crash between the platform's answer and the mark is covered
by the channel dispatcher, which notes each attempt before the call and, when an attempt's
outcome is unknown, looks on the platform before acting again (gardien.channels.dispatch)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from gardien.domain import OutboundAction
from gardien.store.bulk import insert_many
from gardien.store.db import Database
from gardien.store.tables import OutboxRow

#: Carries out one action on its channel; raises to ask for a retry.
Deliver = Callable[[str, OutboundAction], None]
LEASE = timedelta(minutes=5)


class PermanentFailure(Exception):
    """Raised by an adapter when retrying cannot help (the post is gone, the account banned)."""


def enqueue(session: Session, key: str, action: OutboundAction, now: datetime) -> None:
    """Queue `action` under idempotency `key`, inside the caller's transaction."""
    insert_many(
        session,
        OutboxRow,
        [
            {
                "key": key,
                "channel": action.channel,
                "kind": action.kind,
                "target": action.target,
                "payload": dict(action.payload),
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "claimed_until": None,
                "last_error": "",
                "created_at": now,
                "done_at": None,
            }
        ],
    )


@dataclass(slots=True)
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    dead: int = 0


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def _claim(database: Database, now: datetime, limit: int) -> list[tuple[int, str, OutboundAction]]:
    """Lease up to `limit` due rows so that concurrent deliverers never take the same one."""
    with database.session() as session:
        query = (
            select(OutboxRow)
            .where(
                OutboxRow.status == "pending",
                OutboxRow.next_attempt_at <= now,
                or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now),
            )
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = list(session.scalars(query))
        for row in rows:
            row.claimed_until = now + LEASE
        return [
            (
                row.id,
                row.key,
                OutboundAction(row.channel, row.kind, row.target, dict(row.payload or {})),
            )
            for row in rows
        ]


def deliver_due(
    database: Database,
    deliver: Deliver,
    now: datetime,
    limit: int = 100,
    max_attempts: int = 8,
) -> DeliveryReport:
    """Deliver every due action once; failures are retried later, then given up ("dead")."""
    report = DeliveryReport()
    for row_id, key, action in _claim(database, now, limit):
        error, permanent = "", False
        try:
            deliver(key, action)
        except PermanentFailure as failure:
            error, permanent = str(failure) or type(failure).__name__, True
        except Exception as failure:  # an adapter's error of any kind means: try again later
            error = f"{type(failure).__name__}: {failure}"
        with database.session() as session:
            row = session.get_one(OutboxRow, row_id)
            row.claimed_until = None
            if not error:
                row.status, row.done_at = "done", now
                report.delivered += 1
                continue
            row.attempts += 1
            row.last_error = error[:2000]
            if permanent or row.attempts >= max_attempts:
                row.status = "dead"
                report.dead += 1
            else:
                row.next_attempt_at = now + backoff(row.attempts)
                report.retried += 1
    return report


def requeue_dead(session: Session, key: str, now: datetime) -> bool:
    """Give a dead action another round of attempts (an operator's choice, after a fix)."""
    result = session.execute(
        update(OutboxRow)
        .where(OutboxRow.key == key, OutboxRow.status == "dead")
        .values(status="pending", attempts=0, next_attempt_at=now, claimed_until=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
