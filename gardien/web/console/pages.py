"""Console pages: the two queues with reasons, and one post with its signals."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from gardien.store import queries
from gardien.web.console.highlight import highlight, spans_of
from gardien.web.deps import session

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
TEMPLATES.env.globals["highlight"] = highlight
TEMPLATES.env.globals["spans_of"] = spans_of

router = APIRouter(include_in_schema=False)


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/console", status_code=303)


@router.get("/console", response_class=HTMLResponse)
def queues_page(
    request: Request, db: Annotated[Session, Depends(session)], community: str | None = None
) -> HTMLResponse:
    """Both queues side by side, each item with the reasons of its decision."""
    return TEMPLATES.TemplateResponse(
        request,
        "queues.html",
        {
            "community": community,
            "moderation": queries.moderation_queue(db, community, limit=100),
            "care": queries.care_inbox(db, community, limit=100),
        },
    )


@router.get("/console/posts/{post_id}", response_class=HTMLResponse)
def post_page(
    post_id: int, request: Request, db: Annotated[Session, Depends(session)]
) -> HTMLResponse:
    """One post in its thread, its signals, and the reasons highlighted in its text."""
    return TEMPLATES.TemplateResponse(
        request, "post.html", {"detail": queries.post_detail(db, post_id)}
    )
