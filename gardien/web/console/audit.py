"""The audit log page: every action by a person or a rule, newest first, with filters.
Its JSON twin is GET /api/v1/audit (the members area's)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from gardien.actions import audit
from gardien.domain import ensure_utc
from gardien.web.access import Principal, Role, require
from gardien.web.api import cursor as cursors
from gardien.web.console.render import render
from gardien.web.deps import session

router = APIRouter(include_in_schema=False)
PAGE = 100
Text = Annotated[str | None, Query(max_length=200)]


@router.get("/console/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    db: Annotated[Session, Depends(session)],
    principal: Annotated[Principal, Depends(require(Role.admin))],
    actor: Text = None,
    action: Text = None,
    target: Text = None,
    text: Text = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
) -> HTMLResponse:
    """Search the audit log by who, what, which target, words of the reason, and time."""
    where = audit.AuditFilter(
        actor=actor or None,
        action=action or None,
        target=target or None,
        text=text or None,
        since=ensure_utc(since) if since else None,
        until=ensure_utc(until) if until else None,
    )
    before = cursors.decode(cursor, 1)
    entries = audit.search(db, where, PAGE, int(before[0]) if before else None)
    context = {
        "entries": entries,
        "filters": {"actor": actor, "action": action, "target": target, "text": text},
        "since": since,
        "until": until,
        "next_cursor": cursors.encode(entries[-1][0]) if len(entries) == PAGE else None,
    }
    return render(request, "audit.html", context, principal)
