"""Console pages of the gatekeeping queues: applications waiting for a decision (approve or
reject with a reason the applicant reads), appeals (decided by another moderator than the
sanction's author) and readers' open reports (dismissed when unfounded). Thin: each page reads one read model, each form calls one do_* function."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from gardien.actions import appeals, reports
from gardien.actions import applications as gatekeeping
from gardien.actions.members import Who
from gardien.domain.time import utcnow
from gardien.errors import ConflictError, GardienError, NotFoundError
from gardien.pipeline.watched_words import policy_for
from gardien.store import members_lists, members_reports, members_views
from gardien.store.communities import find_community
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.console.render import render
from gardien.web.deps import runtime, session

router = APIRouter(include_in_schema=False)
Db = Annotated[Session, Depends(session)]
REVIEWERS = (Role.community_manager, Role.moderator)
Reviewer = Annotated[Principal, Depends(require(*REVIEWERS))]
Moderator = Annotated[Principal, Depends(require(Role.moderator))]
Page = HTMLResponse | RedirectResponse


def _who(principal: Principal) -> Who:
    return Who(f"user:{principal.username}", utcnow())


def _status(error: GardienError) -> int:
    if isinstance(error, NotFoundError):
        return 404
    return 409 if isinstance(error, ConflictError) else 400


def _communities(principal: Principal, community: str | None, *roles: Role) -> list[str]:
    if community:
        return [access_community(principal, community, *roles)]
    return sorted(principal.communities(*roles))


@router.get("/console/applications", response_class=HTMLResponse)
def applications_page(
    request: Request, db: Db, principal: Reviewer, community: str | None = None
) -> HTMLResponse:
    """Applications waiting, oldest first per community, with the screening's score."""
    groups = {
        slug: members_lists.applications(db, find_community(db, slug).id, "queued")
        for slug in _communities(principal, community, *REVIEWERS)
    }
    return render(request, "members/applications.html", {"groups": groups}, principal)


def _application_page(
    request: Request,
    db: Session,
    principal: Principal,
    application_id: int,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    slug = access_community(
        principal, members_lists.application_community(db, application_id), *REVIEWERS
    )
    context = {"a": members_lists.application(db, application_id), "community": slug}
    return render(
        request,
        "members/application.html",
        context | {"error": error},
        principal,
        status_code=status_code,
    )


@router.get("/console/applications/{application_id}", response_class=HTMLResponse)
def application_page(
    request: Request, application_id: int, db: Db, principal: Reviewer
) -> HTMLResponse:
    """One application: answers, screening reasons, evasion evidence, approve / reject."""
    return _application_page(request, db, principal, application_id)


@router.post(
    "/console/applications/{application_id}/decision",
    response_class=HTMLResponse,
    response_model=None,
)
async def decide_application(
    request: Request, application_id: int, db: Db, principal: Reviewer
) -> Page:
    """Approve, or reject with the reason sent to the applicant."""
    slug = access_community(
        principal, members_lists.application_community(db, application_id), *REVIEWERS
    )
    form = await request.form()
    note, reason = str(form.get("note", "")), str(form.get("reason", "")).strip()
    try:
        with db.begin_nested():
            if form.get("outcome") == "approve":
                gatekeeping.do_approve_application(db, _who(principal), application_id, note)
            elif form.get("outcome") == "reject":
                if not reason:
                    raise gatekeeping.ActionRefused("give the reason the applicant will read")
                gatekeeping.do_reject_application(db, _who(principal), application_id, reason, note)
            else:
                raise gatekeeping.ActionRefused("choose approve or reject")
    except GardienError as error:
        return _application_page(request, db, principal, application_id, str(error), _status(error))
    return RedirectResponse(f"/console/applications?community={slug}", status_code=303)


@router.get("/console/appeals", response_class=HTMLResponse)
def appeals_page(
    request: Request, db: Db, principal: Moderator, community: str | None = None
) -> HTMLResponse:
    """Open appeals per community, with the sanction they contest."""
    groups = {
        slug: members_lists.appeals(db, find_community(db, slug).id, "open")
        for slug in _communities(principal, community, Role.moderator)
    }
    return render(request, "members/appeals.html", {"groups": groups}, principal)


def _appeal_page(
    request: Request,
    db: Session,
    principal: Principal,
    appeal_id: int,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    access_community(principal, members_views.appeal_community(db, appeal_id), Role.moderator)
    context: dict[str, Any] = {"a": members_lists.appeal(db, appeal_id), "error": error}
    context["own"] = context["a"]["sanction"]["created_by"] == f"user:{principal.username}"
    return render(
        request, "members/appeal_decide.html", context, principal, status_code=status_code
    )


@router.get("/console/appeals/{appeal_id}", response_class=HTMLResponse)
def appeal_page(request: Request, appeal_id: int, db: Db, principal: Moderator) -> HTMLResponse:
    """One appeal: the member's text, the sanction with its evidence, and the decision form."""
    return _appeal_page(request, db, principal, appeal_id)


@router.post(
    "/console/appeals/{appeal_id}/decision", response_class=HTMLResponse, response_model=None
)
async def decide_appeal(request: Request, appeal_id: int, db: Db, principal: Moderator) -> Page:
    """Uphold (lift the sanction and its strike) or dismiss; never one's own sanction."""
    slug = access_community(
        principal, members_views.appeal_community(db, appeal_id), Role.moderator
    )
    form = await request.form()
    outcome = form.get("outcome")
    try:
        if outcome not in ("upheld", "dismissed"):
            raise appeals.ActionRefused("choose upheld or dismissed")
        policy = policy_for(runtime(request).context(), slug)
        with db.begin_nested():
            appeals.do_decide_appeal(
                db,
                _who(principal),
                policy,
                appeal_id,
                outcome == "upheld",
                str(form.get("note", "")),
            )
    except GardienError as error:
        return _appeal_page(request, db, principal, appeal_id, str(error), _status(error))
    return RedirectResponse(f"/console/appeals?community={slug}", status_code=303)


def _reports_page(
    request: Request,
    db: Session,
    principal: Principal,
    community: str | None,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    groups = {
        slug: members_reports.open_reports(db, find_community(db, slug).id)
        for slug in _communities(principal, community, Role.moderator)
    }
    return render(
        request,
        "members/reports.html",
        {"groups": groups, "error": error},
        principal,
        status_code=status_code,
    )


@router.get("/console/reports", response_class=HTMLResponse)
def reports_page(
    request: Request, db: Db, principal: Moderator, community: str | None = None
) -> HTMLResponse:
    """Readers' open reports, oldest first, with the post reported and a dismiss button."""
    return _reports_page(request, db, principal, community)


@router.post(
    "/console/reports/{report_id}/dismiss", response_class=HTMLResponse, response_model=None
)
async def dismiss_report(request: Request, report_id: int, db: Db, principal: Moderator) -> Page:
    """Dismiss a report as unfounded (audited); the post's item drops back in the queue."""
    slug = access_community(
        principal, members_reports.report_community(db, report_id), Role.moderator
    )
    form = await request.form()
    try:
        with db.begin_nested():
            reports.do_dismiss_report(db, _who(principal), report_id, str(form.get("note", "")))
    except GardienError as error:
        return _reports_page(request, db, principal, slug, str(error), _status(error))
    return RedirectResponse(f"/console/reports?community={slug}", status_code=303)
