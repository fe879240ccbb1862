"""Gatekeeping's API: the public form (questions and code of conduct) and application, the code
of conduct and form set by community managers, and the approval queue with approve / reject."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from gardien.actions import applications as actions
from gardien.actions.members import Who
from gardien.domain.time import utcnow
from gardien.store import members_lists, members_repo
from gardien.store.communities import find_community
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.api import cursor as cursors
from gardien.web.api.members import Db, PageOut, Rt, who

router = APIRouter(prefix="/api/v1", tags=["applications"])
Limit = Annotated[int, Query(ge=1, le=500)]
Manager = Annotated[Principal, Depends(require(Role.community_manager))]
Reviewer = Annotated[Principal, Depends(require(Role.community_manager, Role.moderator))]


class Question(BaseModel):
    id: str = Field(min_length=1, max_length=50)
    label: dict[str, str] = Field(description='Per language, e.g. {"en": "…", "fr": "…"}.')


class FormIn(BaseModel):
    questions: list[Question] = []
    approve_below: float = Field(0.0, ge=0.0, le=1.01)
    reject_from: float = Field(1.01, ge=0.0, le=1.01)


class Rule(BaseModel):
    id: str = Field(min_length=1, max_length=100)
    title: str


class CodeIn(BaseModel):
    language: str = Field(min_length=2, max_length=20)
    text: str = Field(min_length=1, description="Markdown.")
    rules: list[Rule] = []
    requires_reacceptance: bool = False
    version: int | None = Field(None, description="Set to add a translation of that version.")


class ApplicationIn(BaseModel):
    handle: str = Field(min_length=1, max_length=200)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)
    language: str = "en"
    answers: dict[str, str] = {}
    accepted_version: int = Field(description="The code of conduct version the applicant accepted.")
    channel: str | None = None
    external_id: str | None = None


class ReceivedOut(BaseModel):
    id: int
    status: str
    message: str = ""


class DecisionIn(BaseModel):
    note: str = ""


class RejectIn(BaseModel):
    reason: str = Field(min_length=1, description="Shown to the applicant, in their language.")
    note: str = ""


@router.get("/join/{community}")
def public_form(community: str, db: Db, language: str = "en") -> dict[str, Any]:
    """The form an applicant fills in: questions and the current code of conduct (no sign-in)."""
    row = find_community(db, community)
    code = members_repo.current_code(db, row.id, language)
    form = actions.form_of(db, row.id)
    return {
        "community": row.slug,
        "name": row.name,
        "questions": form.questions,
        "code_of_conduct": None
        if code is None
        else {
            "version": code.version,
            "language": code.language,
            "text": code.text,
            "rules": code.rules,
        },
    }


@router.post("/join/{community}", response_model=ReceivedOut)
def apply(community: str, body: ApplicationIn, db: Db, rt: Rt) -> ReceivedOut:
    """Apply to join (no sign-in). Screening may decide at once; otherwise a person will."""
    scores = actions.score_answers(rt.runner, rt.context(), community, list(body.answers.values()))
    row = actions.do_apply(
        db,
        Who(f"applicant:{body.handle}", utcnow()),
        community,
        body.handle,
        str(body.email),
        body.language,
        body.answers,
        body.accepted_version,
        body.channel,
        body.external_id,
        scores,
    )
    return ReceivedOut(id=row.id, status=row.status, message=row.message)


@router.put("/communities/{community}/application-form")
def configure_form(community: str, body: FormIn, principal: Manager, db: Db) -> dict[str, Any]:
    """Set the questions and screening thresholds of the community's application form."""
    access_community(principal, community, Role.community_manager)
    form = actions.do_configure_form(
        db,
        who(principal),
        community,
        [q.model_dump() for q in body.questions],
        body.approve_below,
        body.reject_from,
    )
    return {
        "questions": form.questions,
        "approve_below": form.approve_below,
        "reject_from": form.reject_from,
    }


@router.post("/communities/{community}/code-of-conduct")
def publish_code(community: str, body: CodeIn, principal: Manager, db: Db) -> dict[str, Any]:
    """Publish a new version of the code of conduct (or a translation of one)."""
    access_community(principal, community, Role.community_manager)
    code = actions.do_publish_code(
        db,
        who(principal),
        community,
        body.language,
        body.text,
        [rule.model_dump() for rule in body.rules],
        body.requires_reacceptance,
        body.version,
    )
    return {"version": code.version, "language": code.language, "published_at": code.published_at}


@router.get("/applications", response_model=PageOut)
def list_applications(
    principal: Reviewer,
    db: Db,
    community: str,
    status: str | None = "queued",
    cursor: str | None = None,
    limit: Limit = 50,
) -> PageOut:
    """Applications oldest first, with their screening score, reasons and evasion flags."""
    access_community(principal, community, Role.community_manager, Role.moderator)
    values = cursors.decode(cursor, 1)
    items = members_lists.applications(
        db, find_community(db, community).id, status, int(values[0]) if values else 0, limit
    )
    last = items[-1]["id"] if len(items) == limit else None
    return PageOut(items=items, next_cursor=cursors.encode(last) if last else None)


def _access(db: Db, principal: Principal, application_id: int) -> None:
    community = members_lists.application_community(db, application_id)
    access_community(principal, community, Role.community_manager, Role.moderator)


@router.post("/applications/{application_id}/approve", response_model=ReceivedOut)
def approve(application_id: int, body: DecisionIn, principal: Reviewer, db: Db) -> ReceivedOut:
    """Approve: the applicant becomes a member and is welcomed in their language."""
    _access(db, principal, application_id)
    row = actions.do_approve_application(db, who(principal), application_id, body.note)
    return ReceivedOut(id=row.id, status=row.status, message=row.message)


@router.post("/applications/{application_id}/reject", response_model=ReceivedOut)
def reject(application_id: int, body: RejectIn, principal: Reviewer, db: Db) -> ReceivedOut:
    """Reject, with a reason the applicant reads in their language."""
    _access(db, principal, application_id)
    row = actions.do_reject_application(db, who(principal), application_id, body.reason, body.note)
    return ReceivedOut(id=row.id, status=row.status, message=row.message)
