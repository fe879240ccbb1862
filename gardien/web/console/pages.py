"""Console pages over posts: the list (newest first) and one post in its thread, with its signals
and the reasons of its decision highlighted in the text, and the verdict form of its moderation
item (queue_forms.py). JSON twins: /api/v1/posts[/{id}]."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from gardien.store import members_views, queries
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.api import cursor as cursors
from gardien.web.api.posts import READERS, access_post
from gardien.web.console.queue import rules_of
from gardien.web.console.render import render
from gardien.web.deps import runtime, session

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(*READERS))]


@router.get("/console/posts", response_class=HTMLResponse)
def posts_page(
    request: Request,
    db: Annotated[Session, Depends(session)],
    principal: Reader,
    community: str | None = None,
    queue: Annotated[str | None, Query(pattern="^(none|moderation|care)$")] = None,
    cursor: str | None = None,
) -> HTMLResponse:
    """Posts, newest first, of the communities the user works in."""
    if community:
        access_community(principal, community, *READERS)
    before = cursors.decode(cursor, 1)
    posts = queries.list_posts(
        db,
        community,
        queue,
        int(before[0]) if before else None,
        50,
        communities=principal.communities(*READERS),
    )
    next_cursor = cursors.encode(posts[-1].id) if len(posts) == 50 else None
    context = {"posts": posts, "community": community, "queue": queue, "next_cursor": next_cursor}
    return render(request, "posts.html", context, principal)


def post_response(
    request: Request,
    db: Session,
    principal: Principal,
    post_id: int,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """The post page; with its moderation item's verdict form for a moderator while the item is
    open (a refused verdict shows the page again with the reason above the form)."""
    detail = access_post(db, principal, post_id)
    item = members_views.post_item(db, post_id)
    can_act = (
        item is not None
        and item["status"] == "open"
        and principal.has(Role.moderator, detail.post.community)
    )
    context = {
        "detail": detail,
        "item": item,
        "can_act": can_act,
        "rules": rules_of(db, runtime(request), [detail.post.community]) if can_act else {},
        "error": error,
    }
    return render(request, "post.html", context, principal, status_code=status_code)


@router.get("/console/posts/{post_id}", response_class=HTMLResponse)
def post_page(
    post_id: int, request: Request, db: Annotated[Session, Depends(session)], principal: Reader
) -> HTMLResponse:
    """One post in its thread, its signals, the reasons highlighted in its text, and (for a
    moderator) approve / hide / remove / warn while it waits in the queue."""
    return post_response(request, db, principal, post_id)
