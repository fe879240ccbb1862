"""The moderation queue page: items most severe first. Each item's approve / hide / remove / warn
buttons and the bulk bar are plain forms (queue_forms.py), so the page works without
JavaScript; with it, console.js works the same queue with the keyboard (j/k move, x select,
a approve, h hide, r remove, w warn, c claim, o open) through the review-queue API, kept live by
the event stream in live.py."""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from gardien.actions.members import policy_rules
from gardien.app.runtime import Runtime
from gardien.pipeline.watched_words import policy_for
from gardien.store import members_repo, members_views
from gardien.store.communities import find_community
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.api import cursor as cursors
from gardien.web.console.render import render
from gardien.web.deps import runtime, session

router = APIRouter(include_in_schema=False)
Moderator = Annotated[Principal, Depends(require(Role.moderator))]
Db = Annotated[Session, Depends(session)]
Rt = Annotated[Runtime, Depends(runtime)]
PAGE = 50


def rules_of(db: Session, rt: Runtime, slugs: Collection[str]) -> dict[str, list[dict[str, str]]]:
    """The rules a moderator may cite, per community (the code of conduct's, else the policy's)."""
    return {
        slug: members_repo.community_rules(
            db, find_community(db, slug).id, policy_rules(policy_for(rt.context(), slug))
        )
        for slug in sorted(slugs)
    }


def queue_url(community: str | None, cursor: str | None) -> str:
    """Where a form sends the moderator back to: this page of the queue."""
    query = {key: value for key, value in (("community", community), ("cursor", cursor)) if value}
    return "/console/queue" + (f"?{urlencode(query)}" if query else "")


def _context(
    db: Session, rt: Runtime, principal: Principal, community: str | None, cursor: str | None
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
        "rules": rules_of(db, rt, {item["community"] for item in items}),
        "next_cursor": cursors.encode(last["severity"], last["id"]) if last else None,
        "back": queue_url(community, cursor),
        "errors": {},
        "me": f"user:{principal.username}",
    }


def queue_response(
    request: Request,
    db: Session,
    rt: Runtime,
    principal: Principal,
    community: str | None = None,
    cursor: str | None = None,
    errors: dict[int | str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The queue page; a refused form shows it again with the reason next to the item (or the
    bulk bar, under the key "bulk")."""
    context = _context(db, rt, principal, community, cursor) | {"errors": errors or {}}
    shown = {item["id"] for item in context["items"]} | {"bulk"}
    context["page_errors"] = [text for key, text in (errors or {}).items() if key not in shown]
    return render(request, "queue.html", context, principal, status_code=status_code)


@router.get("/console/queue", response_class=HTMLResponse)
def queue_page(
    request: Request,
    db: Db,
    rt: Rt,
    principal: Moderator,
    community: str | None = None,
    cursor: str | None = None,
) -> HTMLResponse:
    """Open items of the communities the user moderates (or of one), most severe first."""
    return queue_response(request, db, rt, principal, community, cursor)


@router.get("/console/queue/items", response_class=HTMLResponse)
def queue_items(
    request: Request,
    db: Db,
    rt: Rt,
    principal: Moderator,
    community: str | None = None,
    cursor: str | None = None,
) -> HTMLResponse:
    """The next page of items as an HTML fragment (the page appends it as the list runs low);
    the next cursor comes back in the X-Next-Cursor header."""
    context = _context(db, rt, principal, community, cursor)
    context["back"] = queue_url(community, None)
    response = render(request, "_queue_items.html", context, principal)
    response.headers["X-Next-Cursor"] = context["next_cursor"] or ""
    return response
