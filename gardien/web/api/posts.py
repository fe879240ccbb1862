"""Posts: the list (newest first) and one post with its signals and the reasons of its decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from gardien.store import queries
from gardien.web.api import cursor as cursors
from gardien.web.api.schemas import Page, PostDetailOut, PostOut, RejectOut
from gardien.web.deps import session

router = APIRouter(prefix="/api/v1", tags=["posts"])
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/posts", response_model=Page[PostOut])
def list_posts(
    db: Annotated[Session, Depends(session)],
    community: str | None = None,
    queue: Annotated[str | None, Query(pattern="^(none|moderation|care)$")] = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[PostOut]:
    """Posts, newest first, optionally of one community or one queue."""
    before = cursors.decode(cursor, 1)
    views = queries.list_posts(db, community, queue, int(before[0]) if before else None, limit)
    items = [PostOut.model_validate(view) for view in views]
    next_cursor = cursors.encode(views[-1].id) if len(views) == limit else None
    return Page[PostOut](items=items, next_cursor=next_cursor)


@router.get("/posts/{post_id}", response_model=PostDetailOut)
def get_post(post_id: int, db: Annotated[Session, Depends(session)]) -> PostDetailOut:
    """One post: text as received, revisions, engagement history, thread, signals and reasons."""
    return PostDetailOut.model_validate(queries.post_detail(db, post_id))


@router.get("/rejects", response_model=Page[RejectOut], tags=["ingest"])
def list_rejects(
    db: Annotated[Session, Depends(session)],
    channel: str | None = None,
    cursor: str | None = None,
    limit: Limit = 100,
) -> Page[RejectOut]:
    """Records that could not be ingested, with their line number and reason."""
    after = cursors.decode(cursor, 1)
    views = queries.list_rejects(db, channel, limit, int(after[0]) if after else None)
    next_cursor = cursors.encode(views[-1].id) if len(views) == limit else None
    return Page[RejectOut](
        items=[RejectOut.model_validate(v) for v in views], next_cursor=next_cursor
    )
