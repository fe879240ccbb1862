"""Console pages of the care inbox: cases by rank with the parts of the risk score, one case with
its thread and history, and the fires (alerts, crisis view). Actions go through the care API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from gardien.domain.time import utcnow
from gardien.store import care_config, care_fires, care_inbox
from gardien.web.access import Principal, Role, require
from gardien.web.api.care import scope_of
from gardien.web.console.render import render
from gardien.web.deps import session

router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(session)]
Reader = Annotated[Principal, Depends(require(Role.care_agent, Role.department))]
Agent = Annotated[Principal, Depends(require(Role.care_agent))]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/console/care", response_class=HTMLResponse)
def inbox_page(
    request: Request, db: DB, principal: Reader, community: str | None = None
) -> HTMLResponse:
    """Open cases, highest rank first, each with its risk parts and SLA."""
    items = care_inbox.inbox(db, utcnow(), scope_of(principal), community, limit=200)
    return render(request, "care/inbox.html", {"items": items, "community": community}, principal)


@router.get("/console/care/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: Id, request: Request, db: DB, principal: Reader) -> HTMLResponse:
    """The case with what can be done to it: a care agent of its community drafts from a
    template and replies, assigns, routes and resolves (through the care API)."""
    detail = care_inbox.case_detail(db, case_id, scope_of(principal), utcnow())
    slug = detail.case.community
    community = care_config.community_id(db, slug)
    agent = principal.has(Role.care_agent, slug) and community is not None
    templates = care_config.templates(db, community) if agent and community else []
    first_response = None
    if detail.first_response_at is not None:
        first_response = (detail.first_response_at - detail.case.opened_at).total_seconds() / 60
    context = {
        "detail": detail,
        "agent": agent,
        "templates": sorted({template.name for template in templates}),
        "departments": care_config.departments(db, community) if agent and community else [],
        "first_response_minutes": first_response,
    }
    return render(request, "care/case.html", context, principal)


@router.get("/console/care/fires", response_class=HTMLResponse)
def fires_page(request: Request, db: DB, principal: Agent) -> HTMLResponse:
    alerts = care_fires.list_alerts(db, principal.communities(Role.care_agent), limit=100)
    return render(request, "care/fires.html", {"alerts": alerts}, principal)


@router.get("/console/care/fires/{alert_id}", response_class=HTMLResponse)
def crisis_page(alert_id: Id, request: Request, db: DB, principal: Agent) -> HTMLResponse:
    """The crisis view: the posts behind a fire, grouped by channel."""
    found = care_fires.crisis(db, alert_id, principal.communities(Role.care_agent))
    return render(request, "care/crisis.html", {"crisis": found}, principal)
