"""Dead letters: a message that still fails after its bounded retries is given up. The broker
moves it to the queue's dead-letter queue (`<queue>.XQ`, whose copy carries the last error in its
options' `traceback`); this middleware also records it in the store, with its error, and sets its
posts aside so the sweep stops sending them. An operator lists them and sends them again."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dramatiq import Broker, Message, Middleware
from dramatiq.broker import MessageProxy
from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.actions import audit
from gardien.domain import AuditEntry
from gardien.domain.time import utcnow
from gardien.errors import NotFoundError
from gardien.ops.metrics import metrics
from gardien.store.db import Database
from gardien.store.tables_workers import DeadLetterRow, DeadPostRow
from gardien.store.upsert import insert_ignoring_duplicates
from gardien.workers.dispatch import BrokerRunner

log = logging.getLogger(__name__)


class RecordDeadLetters(Middleware):
    """After Dramatiq's Retries middleware has given a message up, write the dead letter."""

    def __init__(self, database: Callable[[], Database]) -> None:
        self.database = database

    def after_process_message(
        self,
        broker: Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        if exception is None or not message.failed:
            return
        error = "".join(traceback.format_exception(exception, limit=20))
        metrics().dead_letters.labels(message.actor_name).inc()
        log.error(
            "message given up",
            extra={"message_id": message.message_id, "actor": message.actor_name},
        )
        try:
            with self.database().session() as session:
                record_dead_letter(session, message, error, utcnow())
        except Exception:  # the broker's dead-letter queue still holds it; say so loudly
            log.exception("dead letter not recorded", extra={"message_id": message.message_id})
            metrics().errors.labels("dead_letter").inc()


def record_dead_letter(
    session: Session, message: Message[Any] | MessageProxy, error: str, now: datetime
) -> None:
    """One row per message (a redelivered failure is recorded once), its posts set aside."""
    args = list(message.args)
    session.execute(
        insert_ignoring_duplicates(session, DeadLetterRow).values(
            message_id=message.message_id,
            queue=message.queue_name,
            actor=message.actor_name,
            arguments={"args": args, "kwargs": dict(message.kwargs)},
            error=error[-8000:],
            # Dramatiq counts failures; the first was an attempt, the others retries.
            retries=max(int(message.options.get("retries", 1)) - 1, 0),
            failed_at=now,
        )
    )
    letter_id = session.scalar(
        select(DeadLetterRow.id).where(DeadLetterRow.message_id == message.message_id)
    )
    post_ids = args[0] if args and isinstance(args[0], list) else []
    if message.actor_name == "judge_posts" and post_ids:
        session.execute(
            insert_ignoring_duplicates(session, DeadPostRow),
            [{"post_id": int(post_id), "dead_letter_id": letter_id} for post_id in post_ids],
        )


@dataclass(frozen=True, slots=True)
class DeadLetter:
    id: int
    actor: str
    queue: str
    arguments: dict[str, Any]
    error: str
    retries: int
    failed_at: datetime
    requeued_at: datetime | None


def dead_letters(session: Session, limit: int = 100) -> list[DeadLetter]:
    """The newest dead letters first."""
    rows = session.scalars(select(DeadLetterRow).order_by(DeadLetterRow.id.desc()).limit(limit))
    return [
        DeadLetter(
            row.id,
            row.actor,
            row.queue,
            dict(row.arguments),
            row.error,
            row.retries,
            row.failed_at,
            row.requeued_at,
        )
        for row in rows
    ]


def do_release_dead_letter(
    session: Session, letter_id: int, actor: str, now: datetime
) -> list[int]:
    """Take a dead letter's posts off the dead list (after a fix) and return them, so that the
    caller sends them again; the letter stays, marked requeued, and the audit log says who."""
    letter = session.get(DeadLetterRow, letter_id)
    if letter is None:
        raise NotFoundError(f"no dead letter {letter_id}")
    rows = list(session.scalars(select(DeadPostRow).where(DeadPostRow.dead_letter_id == letter_id)))
    posts = [row.post_id for row in rows]
    for row in rows:
        session.delete(row)
    letter.requeued_at = now
    audit.record(
        session,
        AuditEntry(
            at=now,
            actor=actor,
            action="worker.requeue_dead_letter",
            target=f"dead_letter:{letter_id}",
            reason=f"{letter.actor} sent again after: {letter.error.strip().splitlines()[-1:]}",
            detail={"posts": posts, "message_id": letter.message_id},
            community_id=None,  # a batch may hold posts of several communities: admins only
        ),
    )
    return posts


def requeue(database: Database, sender: BrokerRunner, letter_id: int, actor: str) -> list[int]:
    """Release a dead letter's posts and send them again now (if the broker is down, the sweep
    sends them once it is back)."""
    with database.session() as session:
        posts = do_release_dead_letter(session, letter_id, actor, utcnow())
    sender.marks.release(posts)
    if posts:
        sender.send(posts)
    return posts
