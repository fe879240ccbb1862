"""Posts: the list (newest first) and one post with its signals and the reasons of its decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from gardien.errors import NotFoundError
from gardien.store import queries
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.api import cursor as cursors
from gardien.web.api.schemas import Page, PostDetailOut, PostOut, RejectOut
from gardien.web.deps import session

router = APIRouter(prefix="/api/v1", tags=["posts"])
Limit = Annotated[int, Query(ge=1, le=500)]
#: Who reads posts: everyone who works a community (a department sees its own cases instead).
READERS = (Role.community_manager, Role.moderator, Role.care_agent, Role.marketing_lead)
Reader = Annotated[Principal, Depends(require(*READERS))]


@router.get("/posts", response_model=Page[PostOut])
def list_posts(
    db: Annotated[Session, Depends(session)],
    principal: Reader,
    community: str | None = None,
    queue: Annotated[str | None, Query(pattern="^(none|moderation|care)$")] = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[PostOut]:
    """Posts, newest first, optionally of one community or one queue; only of the communities
    the caller works in."""
    if community:
        access_community(principal, community, *READERS)
    before = cursors.decode(cursor, 1)
    views = queries.list_posts(
        db,
        community,
        queue,
        int(before[0]) if before else None,
        limit,
        communities=principal.communities(*READERS),
    )
    items = [PostOut.model_validate(view) for view in views]
    next_cursor = cursors.encode(views[-1].id) if len(views) == limit else None
    return Page[PostOut](items=items, next_cursor=next_cursor)


def access_post(db: Session, principal: Principal, post_id: int) -> queries.PostDetail:
    """The post when the caller may read its community; "not found" otherwise, as if missing."""
    detail = queries.post_detail(db, post_id)
    if not principal.has_any(READERS, detail.post.community):
        raise NotFoundError(f"no post {post_id}")
    return detail


@router.get("/posts/{post_id}", response_model=PostDetailOut)
def get_post(
    post_id: int, db: Annotated[Session, Depends(session)], principal: Reader
) -> PostDetailOut:
    """One post: text as received, revisions, engagement history, thread, signals and reasons."""
    return PostDetailOut.model_validate(access_post(db, principal, post_id))


@router.get("/rejects", response_model=Page[RejectOut], tags=["ingest"])
def list_rejects(
    db: Annotated[Session, Depends(session)],
    principal: Annotated[Principal, Depends(require(Role.community_manager))],
    channel: str | None = None,
    cursor: str | None = None,
    limit: Limit = 100,
) -> Page[RejectOut]:
    """Records that could not be ingested, with their line number and reason (of the channels
    of the caller's communities)."""
    after = cursors.decode(cursor, 1)
    views = queries.list_rejects(
        db,
        channel,
        limit,
        int(after[0]) if after else None,
        communities=None if principal.is_admin else principal.communities(Role.community_manager),
    )
    next_cursor = cursors.encode(views[-1].id) if len(views) == limit else None
    return Page[RejectOut](
        items=[RejectOut.model_validate(v) for v in views], next_cursor=next_cursor
    )
