"""The audit log: append-only, searchable. Every action by a person or a rule writes one entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.domain import AuditEntry
from gardien.store.tables import AuditRow


def record(session: Session, entry: AuditEntry) -> int:
    """Append `entry` inside the caller's transaction (so it commits or rolls back with the change)."""
    row = AuditRow(
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        target=entry.target,
        reason=entry.reason,
        policy_version=entry.policy_version,
        detail=dict(entry.detail),
    )
    session.add(row)
    session.flush()
    return row.id


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What to search the log for; every field narrows the search."""

    actor: str | None = None
    action: str | None = None
    target: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None


def search(
    session: Session, where: AuditFilter, limit: int = 100, before_id: int | None = None
) -> list[tuple[int, AuditEntry]]:
    """Entries matching `where`, newest first, with their ids (for paging with `before_id`)."""
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if where.actor:
        query = query.where(AuditRow.actor == where.actor)
    if where.action:
        query = query.where(AuditRow.action == where.action)
    if where.target:
        query = query.where(AuditRow.target == where.target)
    if where.since:
        query = query.where(AuditRow.at >= where.since)
    if where.until:
        query = query.where(AuditRow.at < where.until)
    if where.text:
        query = query.where(AuditRow.reason.contains(where.text))
    if before_id:
        query = query.where(AuditRow.id < before_id)
    return [
        (
            row.id,
            AuditEntry(
                at=row.at,
                actor=row.actor,
                action=row.action,
                target=row.target,
                reason=row.reason,
                policy_version=row.policy_version,
                detail=dict(row.detail or {}),
            ),
        )
        for row in session.scalars(query)
    ]
