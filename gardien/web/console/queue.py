"""The moderation queue page: items most severe first, worked with the keyboard (j/k move,
x select, a approve, h hide, r remove, w warn, c claim) through the review-queue API
(/api/v1/moderation/…), and kept live by the event stream in live.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from gardien.store import members_views
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.api import cursor as cursors
from gardien.web.console.render import render
from gardien.web.deps import session

router = APIRouter(include_in_schema=False)
Moderator = Annotated[Principal, Depends(require(Role.moderator))]
PAGE = 50


def _context(
    db: Session, principal: Principal, community: str | None, cursor: str | None
) -> dict[str, Any]:
    communities = principal.communities(Role.moderator)
    if community:
        communities = frozenset({access_community(principal, community, Role.moderator)})
    after = cursors.decode(cursor, 2)
    items = members_views.queue(
        db,
        communities,
        after=None if after is None else (after[0], int(after[1])),
        limit=PAGE,
    )
    last = items[-1] if len(items) == PAGE else None
    return {
        "items": items,
        "community": community,
        "communities": sorted(principal.communities(Role.moderator)),
        "next_cursor": cursors.encode(last["severity"], last["id"]) if last else None,
        "me": f"user:{principal.username}",
    }


@router.get("/console/queue", response_class=HTMLResponse)
def queue_page(
    request: Request,
    db: Annotated[Session, Depends(session)],
    principal: Moderator,
    community: str | None = None,
    cursor: str | None = None,
) -> HTMLResponse:
    """Open items of the communities the user moderates (or of one), most severe first."""
    return render(request, "queue.html", _context(db, principal, community, cursor), principal)


@router.get("/console/queue/items", response_class=HTMLResponse)
def queue_items(
    request: Request,
    db: Annotated[Session, Depends(session)],
    principal: Moderator,
    community: str | None = None,
    cursor: str | None = None,
) -> HTMLResponse:
    """The next page of items as an HTML fragment (the page appends it as the list runs low);
    the next cursor comes back in the X-Next-Cursor header."""
    context = _context(db, principal, community, cursor)
    response = render(request, "_queue_items.html", context, principal)
    response.headers["X-Next-Cursor"] = context["next_cursor"] or ""
    return response
