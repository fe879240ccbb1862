"""Console pages of the care inbox: cases by rank with the parts of the risk score, one case with
its thread and history, and the fires (alerts, crisis view). Actions go through the care API."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from gardien.actions import care as actions
from gardien.actions import care_replies as replies
from gardien.actions.care import CareError
from gardien.app.care_drafts import draft_reply
from gardien.app.runtime import Runtime
from gardien.domain.time import utcnow
from gardien.errors import GardienError, NotFoundError
from gardien.store import care_config, care_fires, care_inbox
from gardien.web.access import Principal, Role, require
from gardien.web.api.care import scope_of
from gardien.web.console.render import render
from gardien.web.deps import runtime, session

router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(session)]
Reader = Annotated[Principal, Depends(require(Role.care_agent, Role.department))]
Agent = Annotated[Principal, Depends(require(Role.care_agent))]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Act = Literal["draft", "reply", "assign", "route", "resolve", "reopen"]


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
    template and replies, assigns, routes and resolves (the page's script calls the care API;
    without it, the same forms post to `case_form`)."""
    return _case_page(request, db, principal, case_id, {})


def _case_page(
    request: Request, db: Session, principal: Principal, case_id: int, extra: dict[str, Any]
) -> HTMLResponse:
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
        "error": None,
        "draft": None,
        **extra,
    }
    status = 400 if context["error"] else 200
    return render(request, "care/case.html", context, principal, status_code=status)


@router.post("/console/care/cases/{case_id}", response_model=None)
def case_form(
    case_id: Id,
    request: Request,
    db: DB,
    principal: Agent,
    rt: Annotated[Runtime, Depends(runtime)],
    do: Annotated[Act, Form()],
    text: Annotated[str, Form(max_length=10_000)] = "",
    template: Annotated[str, Form(max_length=200)] = "",
    used_template: Annotated[str, Form(max_length=200)] = "",
    department: Annotated[str, Form(max_length=200)] = "",
    note: Annotated[str, Form(max_length=2_000)] = "",
) -> HTMLResponse | RedirectResponse:
    """The case page's forms without JavaScript. A draft comes back in the reply box; a refused
    action comes back with its reason, and nothing changes."""
    try:
        with rt.database.session() as writing:  # its own transaction: all or nothing
            case = care_inbox.visible_case(writing, case_id, scope_of(principal, departments=False))
            actor, now, me = f"user:{principal.username}", utcnow(), principal.username
            if do == "draft":
                made = draft_reply(writing, case, template, me)
                return _case_page(request, db, principal, case_id, {"draft": made})
            if do == "reply":
                if not text.strip():
                    raise CareError("write the reply first")
                replies.do_reply(writing, case_id, text, now, actor=actor, agent=me,
                                 template=used_template or None)  # fmt: skip
            elif do == "assign":
                actions.do_assign(writing, case_id, now, actor=actor, agent=me)
            elif do == "route":
                actions.do_route_to_department(
                    writing, case_id, department, now, actor=actor, note=note
                )
            elif do == "resolve":
                replies.do_resolve(writing, case_id, now, actor=actor, note=note)
            else:
                replies.do_reopen(writing, case_id, now, actor=actor, reason=note)
    except NotFoundError:
        raise
    except GardienError as error:
        extra = {"error": str(error), "failed": do, "text": text}
        return _case_page(request, db, principal, case_id, extra)
    return RedirectResponse(request.url.path, status_code=303)


@router.get("/console/care/fires", response_class=HTMLResponse)
def fires_page(request: Request, db: DB, principal: Agent) -> HTMLResponse:
    alerts = care_fires.list_alerts(db, principal.communities(Role.care_agent), limit=100)
    return render(request, "care/fires.html", {"alerts": alerts}, principal)


@router.get("/console/care/fires/{alert_id}", response_class=HTMLResponse)
def crisis_page(alert_id: Id, request: Request, db: DB, principal: Agent) -> HTMLResponse:
    """The crisis view: the posts behind a fire, grouped by channel."""
    found = care_fires.crisis(db, alert_id, principal.communities(Role.care_agent))
    return render(request, "care/crisis.html", {"crisis": found}, principal)
