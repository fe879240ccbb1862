"""Pages of the members area: the public application form and appeal page (applicants and
sanctioned members have no account), and a member's file for moderators."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from gardien.actions import appeals, identities
from gardien.actions import applications as gatekeeping
from gardien.actions.members import Who
from gardien.domain.time import utcnow
from gardien.errors import ConflictError, GardienError, NotFoundError
from gardien.pipeline.watched_words import policy_for
from gardien.store import members_repo, members_views
from gardien.store.communities import find_community
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.console.flash import flash
from gardien.web.console.render import N_, gettext_for, render
from gardien.web.deps import runtime, session

router = APIRouter(include_in_schema=False)
Db = Annotated[Session, Depends(session)]
Moderator = Annotated[Principal, Depends(require(Role.moderator))]
#: A ban-evasion flag's decision, as the member's file names it (translated when shown).
FLAG_STATUSES = (N_("confirmed"), N_("cleared"))


def _form_context(db: Session, community: str, language: str) -> dict[str, Any]:
    row = find_community(db, community)
    return {
        "community": row,
        "language": language,
        "form": gatekeeping.form_of(db, row.id),
        "code": members_repo.current_code(db, row.id, language),
    }


@router.get("/join/{community}", response_class=HTMLResponse)
def join_page(request: Request, community: str, db: Db, language: str = "en") -> HTMLResponse:
    """The application form: the community's questions and its code of conduct to accept."""
    return render(request, "members/join.html", _form_context(db, community, language))


@router.post("/join/{community}", response_class=HTMLResponse)
async def join(request: Request, community: str, db: Db) -> HTMLResponse:
    """Receive the form; screening may answer at once, otherwise a person will."""
    data = await request.form()
    language = str(data.get("language", "en"))
    answers = {
        key.removeprefix("answer_"): str(value)
        for key, value in data.items()
        if key.startswith("answer_")
    }
    context = _form_context(db, community, language)
    try:
        if data.get("accept") != "yes":
            raise gatekeeping.ActionRefused("accept the code of conduct to apply")
        rt = runtime(request)
        scores = gatekeeping.score_answers(
            rt.runner, rt.context(), community, list(answers.values())
        )
        row = gatekeeping.do_apply(
            db,
            Who(f"applicant:{data.get('handle', '')}", utcnow()),
            community,
            str(data.get("handle", "")).strip(),
            str(data.get("email", "")).strip(),
            language,
            answers,
            int(str(data.get("version", "0")) or 0),
            scores=scores,
        )
    except GardienError as error:
        context |= {"error": str(error), "answers": answers, "values": dict(data)}
        return render(request, "members/join.html", context, status_code=400)
    return render(request, "members/joined.html", context | {"application": row})


@router.get("/appeal/{token}", response_class=HTMLResponse)
def appeal_page(request: Request, token: str, db: Db) -> HTMLResponse:
    """What was decided and why, with the content concerned, and a box to appeal."""
    sanction = appeals.find_sanction(db, None, token)
    return render(request, "members/appeal.html", {"sanction": sanction, "token": token})


@router.post("/appeal/{token}", response_class=HTMLResponse)
async def appeal(request: Request, token: str, db: Db) -> HTMLResponse:
    data = await request.form()
    sanction = appeals.find_sanction(db, None, token)
    context: dict[str, Any] = {"sanction": sanction, "token": token}
    try:
        filed = appeals.do_appeal(
            db, Who("member", utcnow()), str(data.get("text", "")), token=token
        )
    except GardienError as error:
        return render(
            request, "members/appeal.html", context | {"error": str(error)}, status_code=400
        )
    return render(request, "members/appeal.html", context | {"filed": filed})


def _member_page(
    request: Request,
    db: Session,
    principal: Principal,
    member_id: int,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    access_community(principal, members_views.member_community(db, member_id), Role.moderator)
    file = members_views.member_file(db, member_id, utcnow())
    context = {"file": file, "error": error}
    return render(request, "members/member.html", context, principal, status_code=status_code)


@router.get("/console/members/{member_id}", response_class=HTMLResponse)
def member_page(request: Request, member_id: int, db: Db, principal: Moderator) -> HTMLResponse:
    """A member's file: identities, standing, strikes, sanctions with evidence, notices, appeals,
    and the ban-evasion flags to confirm or clear."""
    return _member_page(request, db, principal, member_id)


@router.post(
    "/console/members/{member_id}/evasion-flags/{flag_id}",
    response_class=HTMLResponse,
    response_model=None,
)
def decide_flag(
    request: Request,
    member_id: int,
    flag_id: int,
    db: Db,
    principal: Moderator,
    outcome: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse | RedirectResponse:
    """Confirm (the same person as the banned member) or clear a ban-evasion flag (audited)."""
    slug = access_community(
        principal, members_views.member_community(db, member_id), Role.moderator
    )
    flags = members_views.member_file(db, member_id, utcnow())["evasion_flags"]
    if flag_id not in {flag["id"] for flag in flags}:
        raise NotFoundError(f"no evasion flag {flag_id} on member {member_id}")
    rt = runtime(request)
    _ = gettext_for(request, principal)
    who = Who(f"user:{principal.username}", utcnow())
    try:
        with rt.database.session() as writing:
            if outcome == "confirmed":
                strikes = policy_for(rt.context(), slug).policy.strikes
                identities.do_confirm_evasion(writing, who, flag_id, note, strikes)
            elif outcome == "cleared":
                identities.do_clear_evasion(writing, who, flag_id, note)
            else:
                raise identities.ActionRefused("choose: the same person, or someone else")
    except NotFoundError:
        raise
    except GardienError as error:
        status = 409 if isinstance(error, ConflictError) else 400
        return _member_page(request, db, principal, member_id, str(error), status)
    done = _("Evasion flag confirmed.") if outcome == "confirmed" else _("Evasion flag cleared.")
    flash(request, done)
    return RedirectResponse(f"/console/members/{member_id}", status_code=303)
