"""The audit log page: every action by a person or a rule, newest first, with filters (who,
action, object type and id, community, words of the reason, dates). Moderators and community
managers read their communities' entries, admins all of them; the search is the one of its JSON
twin GET /api/v1/audit (web/api/audit.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from gardien.web.access import Principal, Role, require
from gardien.web.api.audit import OBJECT_TYPES, AuditQuery, search
from gardien.web.console.render import render
from gardien.web.deps import session

router = APIRouter(include_in_schema=False)
PAGE = 100
Text = Annotated[str, Query(max_length=200)]


def _when(value: str, field: str, errors: list[str]) -> datetime | None:
    """A date or date and time typed in the form (UTC); a wrong one is reported, not a 422."""
    if not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        errors.append(field)
        return None


@router.get("/console/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    db: Annotated[Session, Depends(session)],
    principal: Annotated[Principal, Depends(require(Role.moderator))],
    actor: Text = "",
    action: Text = "",
    object_type: Text = "",
    object_id: Text = "",
    community: Text = "",
    text: Text = "",
    since: Text = "",
    until: Text = "",
    cursor: str | None = None,
) -> HTMLResponse:
    """Search the audit log of the communities the user moderates or manages."""
    bad: list[str] = []
    query = AuditQuery(
        actor=actor,
        action=action,
        object_type=object_type if object_type in OBJECT_TYPES else None,
        object_id=object_id,
        community=community,
        text=text,
        since=_when(since, "since", bad),
        until=_when(until, "until", bad),
    )
    found = search(db, principal, query, cursor, PAGE)
    filters = {
        "actor": actor,
        "action": action,
        "object_type": query.object_type or "",
        "object_id": object_id,
        "community": community,
        "text": text,
        "since": since,
        "until": until,
    }
    kept = {key: value for key, value in filters.items() if value}
    context = {
        "entries": found.items,
        "filters": filters,
        "bad_dates": bad,
        "object_types": OBJECT_TYPES,
        "communities": sorted(principal.communities(Role.moderator)),
        "next_url": "?" + urlencode({**kept, "cursor": found.next_cursor})
        if found.next_cursor
        else None,
    }
    return render(request, "audit.html", context, principal, status_code=400 if bad else 200)
