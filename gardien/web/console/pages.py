"""Console pages: the two queues with reasons, and one post with its signals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from gardien.store import queries
from gardien.web.access import Principal, Role, require
from gardien.web.api.posts import READERS, access_post
from gardien.web.console.render import render
from gardien.web.deps import session

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(*READERS))]


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/console", status_code=303)


@router.get("/console", response_class=HTMLResponse)
def queues_page(
    request: Request,
    db: Annotated[Session, Depends(session)],
    principal: Reader,
    community: str | None = None,
) -> HTMLResponse:
    """Both queues side by side, each item with the reasons of its decision."""
    return render(
        request,
        "queues.html",
        {
            "community": community,
            "moderation": queries.moderation_queue(
                db, community, limit=100, communities=principal.communities(Role.moderator)
            ),
            "care": queries.care_inbox(
                db, community, limit=100, communities=principal.communities(Role.care_agent)
            ),
        },
        principal,
    )


@router.get("/console/posts/{post_id}", response_class=HTMLResponse)
def post_page(
    post_id: int, request: Request, db: Annotated[Session, Depends(session)], principal: Reader
) -> HTMLResponse:
    """One post in its thread, its signals, and the reasons highlighted in its text."""
    return render(request, "post.html", {"detail": access_post(db, principal, post_id)}, principal)
