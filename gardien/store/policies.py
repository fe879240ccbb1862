"""Reading stored policies: a community's versions, and the texts of its live and shadow ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.store.communities import find_community
from gardien.store.tables_policy import PolicyStateRow, PolicyVersionRow


@dataclass(frozen=True, slots=True)
class StoredVersion:
    id: int
    community: str
    version: str
    text: str
    author: str
    note: str
    saved_at: datetime
    live: bool = False
    shadow: bool = False


def _stored(row: PolicyVersionRow, slug: str, state: PolicyStateRow | None) -> StoredVersion:
    return StoredVersion(
        id=row.id,
        community=slug,
        version=row.version,
        text=row.text,
        author=row.author,
        note=row.note,
        saved_at=row.saved_at,
        live=state is not None and state.live_id == row.id,
        shadow=state is not None and state.shadow_id == row.id,
    )


def versions(session: Session, slug: str, limit: int = 50) -> list[StoredVersion]:
    """The community's saved versions, newest first, marking the live and shadow ones."""
    community = find_community(session, slug)
    state = session.get(PolicyStateRow, community.id)
    rows = session.scalars(
        select(PolicyVersionRow)
        .where(PolicyVersionRow.community_id == community.id)
        .order_by(PolicyVersionRow.id.desc())
        .limit(limit)
    )
    return [_stored(row, slug, state) for row in rows]


def active(session: Session, slug: str) -> tuple[StoredVersion | None, StoredVersion | None]:
    """The (live, shadow) versions of a community's policy; None where there is none."""
    community = find_community(session, slug)
    state = session.get(PolicyStateRow, community.id)
    if state is None:
        return None, None
    live = session.get(PolicyVersionRow, state.live_id) if state.live_id else None
    shadow = session.get(PolicyVersionRow, state.shadow_id) if state.shadow_id else None
    return (
        None if live is None else _stored(live, slug, state),
        None if shadow is None else _stored(shadow, slug, state),
    )
