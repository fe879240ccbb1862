"""The audit log: append-only, searchable. Every action by a person or a rule writes one entry,
in the community of the object it touched (none for global actions such as user management), so
that each reader sees the entries of the communities they work in and nothing else."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.domain import AuditEntry
from gardien.store.tables import AuditRow, CommunityRow


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
        community_id=entry.community_id,
    )
    session.add(row)
    session.flush()
    return row.id


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What to search the log for; every field narrows the search.

    `communities` is the reader's scope: None reads every entry (admins), a set of community
    ids only the entries of those communities (never the global ones)."""

    actor: str | None = None
    action: str | None = None
    target: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    communities: Collection[int] | None = None


def search(
    session: Session, where: AuditFilter, limit: int = 100, before_id: int | None = None
) -> list[tuple[int, AuditEntry]]:
    """Entries matching `where`, newest first, with their ids (for paging with `before_id`)."""
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if where.communities is not None:
        query = query.where(AuditRow.community_id.in_(sorted(where.communities)))
    if where.actor:
        query = query.where(AuditRow.actor == where.actor)
    if where.action:
        query = query.where(AuditRow.action == where.action)
    if where.target:
        query = query.where(AuditRow.target == where.target)
    if where.object_type and where.object_id:
        query = query.where(AuditRow.target == f"{where.object_type}:{where.object_id}")
    elif where.object_type:
        query = query.where(AuditRow.target.startswith(f"{where.object_type}:", autoescape=True))
    elif where.object_id:
        query = query.where(AuditRow.target.endswith(f":{where.object_id}", autoescape=True))
    if where.since:
        query = query.where(AuditRow.at >= where.since)
    if where.until:
        query = query.where(AuditRow.at < where.until)
    if where.text:
        query = query.where(AuditRow.reason.contains(where.text, autoescape=True))
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
                community_id=row.community_id,
            ),
        )
        for row in session.scalars(query)
    ]


def community_ids(session: Session, slugs: Collection[str]) -> dict[str, int]:
    """The ids of the communities named `slugs` (a reader's scope is a set of slugs)."""
    rows = session.execute(
        select(CommunityRow.slug, CommunityRow.id).where(CommunityRow.slug.in_(sorted(slugs)))
    )
    return {slug: community_id for slug, community_id in rows}


def community_slugs(session: Session) -> dict[int, str]:
    """Every community's slug by id, to show an entry's community by name."""
    return {row.id: row.slug for row in session.execute(select(CommunityRow.id, CommunityRow.slug))}
