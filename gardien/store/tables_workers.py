"""Workers' own records: messages that failed for good (the dead letters, with their error) and
the posts they carried, so the sweeper stops sending a poison post round and round."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gardien.store.tables import Base


class DeadLetterRow(Base):
    """A broker message that exhausted its retries; the broker keeps a copy in its dead-letter
    queue, this row keeps what an operator needs to decide: which task, its arguments, the error."""

    __tablename__ = "worker_dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    queue: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(100))
    arguments: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    retries: Mapped[int] = mapped_column(Integer, default=0)
    failed_at: Mapped[datetime]
    #: Set when an operator sent it again (`gardien worker dead-letters --retry ID`).
    requeued_at: Mapped[datetime | None]


class DeadPostRow(Base):
    """A post whose judgement failed for good: set aside (never re-sent) until requeued."""

    __tablename__ = "worker_dead_posts"

    #: No foreign key: erasing a member's posts must not be blocked by an operator's record.
    post_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    dead_letter_id: Mapped[int] = mapped_column(ForeignKey("worker_dead_letters.id"), index=True)
