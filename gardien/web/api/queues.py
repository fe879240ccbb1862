"""The two queues: moderation (held and flagged posts) and care (complaints and questions)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from gardien.store import queries
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.api import cursor as cursors
from gardien.web.api.schemas import Page, QueueItemOut
from gardien.web.deps import session

router = APIRouter(prefix="/api/v1/queues", tags=["queues"])
Limit = Annotated[int, Query(ge=1, le=500)]


def _page(items: list[queries.QueueItem], limit: int) -> Page[QueueItemOut]:
    last = items[-1] if len(items) == limit else None
    return Page[QueueItemOut](
        items=[QueueItemOut.model_validate(item) for item in items],
        next_cursor=cursors.encode(last.rank, last.id) if last else None,
    )


def _after(cursor: str | None) -> tuple[float, int] | None:
    values = cursors.decode(cursor, 2)
    return None if values is None else (values[0], int(values[1]))


@router.get("/moderation", response_model=Page[QueueItemOut])
def moderation(
    db: Annotated[Session, Depends(session)],
    principal: Annotated[Principal, Depends(require(Role.moderator))],
    community: str | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[QueueItemOut]:
    """Open moderation items, most severe first, each with the reasons it was held or flagged."""
    if community:
        access_community(principal, community, Role.moderator)
    items = queries.moderation_queue(
        db,
        community,
        limit=limit,
        after=_after(cursor),
        communities=principal.communities(Role.moderator),
    )
    return _page(items, limit)


@router.get("/care", response_model=Page[QueueItemOut])
def care(
    db: Annotated[Session, Depends(session)],
    principal: Annotated[Principal, Depends(require(Role.care_agent))],
    community: str | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[QueueItemOut]:
    """Open care cases, highest priority first."""
    if community:
        access_community(principal, community, Role.care_agent)
    items = queries.care_inbox(
        db,
        community,
        limit=limit,
        after=_after(cursor),
        communities=principal.communities(Role.care_agent),
    )
    return _page(items, limit)
