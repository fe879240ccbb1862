"""Console pages of the care inbox: cases by rank with the parts of the risk score, one case with
its thread and history, and the fires (alerts, crisis view). Actions go through the care API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from gardien.domain.time import utcnow
from gardien.store import care_fires, care_inbox
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
    detail = care_inbox.case_detail(db, case_id, scope_of(principal), utcnow())
    return render(request, "care/case.html", {"detail": detail}, principal)


@router.get("/console/care/fires", response_class=HTMLResponse)
def fires_page(request: Request, db: DB, principal: Agent) -> HTMLResponse:
    alerts = care_fires.list_alerts(db, principal.communities(Role.care_agent), limit=100)
    return render(request, "care/fires.html", {"alerts": alerts}, principal)


@router.get("/console/care/fires/{alert_id}", response_class=HTMLResponse)
def crisis_page(alert_id: Id, request: Request, db: DB, principal: Agent) -> HTMLResponse:
    """The crisis view: the posts behind a fire, grouped by channel."""
    found = care_fires.crisis(db, alert_id, principal.communities(Role.care_agent))
    return render(request, "care/crisis.html", {"crisis": found}, principal)
