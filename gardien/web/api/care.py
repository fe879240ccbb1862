"""The care inbox API: cases ordered by risk and SLA with the score's parts, and the actions on
them (assign, route, hand back, draft, reply, wait, resolve, reopen, CSAT).

Care agents (and community managers) see their communities' cases; a department member sees
only the cases routed to their department. A case the caller may not see is "not found"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from gardien.actions import care as actions
from gardien.actions import care_replies as replies
from gardien.app.care_drafts import draft_reply
from gardien.domain.time import utcnow
from gardien.store import care_inbox
from gardien.store.care_inbox import Scope
from gardien.store.tables_care import CaseRow
from gardien.web.access import Principal, Role, require
from gardien.web.api import cursor as cursors
from gardien.web.api.care_schemas import (
    AssignIn,
    CaseDetailOut,
    CaseOut,
    CasePage,
    CsatIn,
    DraftIn,
    DraftOut,
    NoteIn,
    ReplyIn,
    ReplyOut,
    RouteIn,
)
from gardien.web.deps import session

router = APIRouter(prefix="/api/v1/care", tags=["care"])
DB = Annotated[Session, Depends(session)]
Reader = Annotated[Principal, Depends(require(Role.care_agent, Role.department))]
Agent = Annotated[Principal, Depends(require(Role.care_agent))]
Limit = Annotated[int, Query(ge=1, le=500)]
CaseId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def scope_of(principal: Principal, *, departments: bool = True) -> Scope:
    """What `principal` may see: whole communities as a care agent, else their departments'."""
    whole = principal.communities(Role.care_agent)
    mine = {
        slug: names
        for slug, names in principal.departments.items()
        if departments and principal.has(Role.department, slug)
    }
    return Scope(communities=whole, departments=mine)


def _case(db: Session, principal: Principal, case_id: int, departments: bool = True) -> CaseRow:
    return care_inbox.visible_case(db, case_id, scope_of(principal, departments=departments))


def _actor(principal: Principal) -> str:
    return f"user:{principal.username}"


def _detail(db: Session, principal: Principal, case_id: int) -> CaseDetailOut:
    found = care_inbox.case_detail(db, case_id, scope_of(principal), utcnow())
    return CaseDetailOut.model_validate(found)


@router.get("/cases", response_model=CasePage)
def list_cases(
    db: DB,
    principal: Reader,
    community: str | None = None,
    department: str | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> CasePage:
    """Open cases, highest rank first (virality risk plus SLA pressure), each with the parts of
    its risk score. Pages of one listing share the moment the first page was ranked."""
    values = cursors.decode(cursor, 3)
    try:
        now = datetime.fromtimestamp(values[0], UTC) if values else utcnow()
    except (OverflowError, OSError, ValueError):
        raise cursors.CursorError("the cursor is not one this API gave out") from None
    after = (values[1], int(values[2])) if values else None
    items = care_inbox.inbox(
        db, now, scope_of(principal), community, department, limit=limit, after=after
    )
    last = items[-1] if len(items) == limit else None
    return CasePage(
        items=[CaseOut.model_validate(item) for item in items],
        next_cursor=cursors.encode(now.timestamp(), last.rank, last.id) if last else None,
    )


@router.get("/cases/{case_id}", response_model=CaseDetailOut)
def get_case(case_id: CaseId, db: DB, principal: Reader) -> CaseDetailOut:
    """One case: its posts, the thread, the author's history, events and replies."""
    return _detail(db, principal, case_id)


@router.post("/cases/{case_id}/assign", response_model=CaseDetailOut)
def assign(case_id: CaseId, body: AssignIn, db: DB, principal: Agent) -> CaseDetailOut:
    """Assign to the agent named, or by the community's strategy (round-robin, least-loaded)."""
    _case(db, principal, case_id, departments=False)
    actions.do_assign(db, case_id, utcnow(), actor=_actor(principal), agent=body.agent)
    return _detail(db, principal, case_id)


@router.post("/cases/{case_id}/route", response_model=CaseDetailOut)
def route(case_id: CaseId, body: RouteIn, db: DB, principal: Agent) -> CaseDetailOut:
    """Send the case to a department (it waits on them until they hand it back)."""
    _case(db, principal, case_id, departments=False)
    actions.do_route_to_department(
        db, case_id, body.department, utcnow(), actor=_actor(principal), note=body.note
    )
    return _detail(db, principal, case_id)


@router.post("/cases/{case_id}/hand-back", response_model=CaseDetailOut)
def hand_back(case_id: CaseId, body: NoteIn, db: DB, principal: Reader) -> CaseDetailOut:
    """The department gives the case back to care with a note."""
    _case(db, principal, case_id)
    actions.do_hand_back(db, case_id, utcnow(), actor=_actor(principal), note=body.note)
    return _detail(db, principal, case_id)


@router.post("/cases/{case_id}/draft", response_model=DraftOut)
def draft(case_id: CaseId, body: DraftIn, db: DB, principal: Agent) -> DraftOut:
    """A reply draft from a template, in the author's language, to edit before sending."""
    case = _case(db, principal, case_id, departments=False)
    made = draft_reply(db, case, body.template, principal.username, body.values)
    return DraftOut(template=made.template, language=made.language, tone=made.tone, text=made.text)


@router.post("/cases/{case_id}/replies", response_model=ReplyOut, status_code=201)
def reply(case_id: CaseId, body: ReplyIn, db: DB, principal: Agent) -> ReplyOut:
    """Send a reply: recorded on the case and queued for the channel (outbox)."""
    _case(db, principal, case_id, departments=False)
    sent = replies.do_reply(
        db,
        case_id,
        body.text,
        utcnow(),
        actor=_actor(principal),
        agent=principal.username,
        template=body.template,
        to_post=body.to_post,
    )
    return ReplyOut.model_validate(sent)


@router.post("/cases/{case_id}/wait", response_model=CaseDetailOut)
def wait(case_id: CaseId, db: DB, principal: Agent) -> CaseDetailOut:
    """Waiting on the customer (a reopening post from them brings the case back)."""
    _case(db, principal, case_id, departments=False)
    replies.do_wait_for_customer(db, case_id, utcnow(), actor=_actor(principal))
    return _detail(db, principal, case_id)


@router.post("/cases/{case_id}/resolve", response_model=CaseDetailOut)
def resolve(case_id: CaseId, body: NoteIn, db: DB, principal: Agent) -> CaseDetailOut:
    _case(db, principal, case_id, departments=False)
    replies.do_resolve(db, case_id, utcnow(), actor=_actor(principal), note=body.note)
    return _detail(db, principal, case_id)


@router.post("/cases/{case_id}/reopen", response_model=CaseDetailOut)
def reopen(case_id: CaseId, body: NoteIn, db: DB, principal: Agent) -> CaseDetailOut:
    _case(db, principal, case_id, departments=False)
    replies.do_reopen(db, case_id, utcnow(), actor=_actor(principal), reason=body.note)
    return _detail(db, principal, case_id)


@router.post("/cases/{case_id}/csat", response_model=CaseDetailOut)
def csat(case_id: CaseId, body: CsatIn, db: DB, principal: Agent) -> CaseDetailOut:
    """Record the author's answer to the satisfaction question (1–5)."""
    _case(db, principal, case_id, departments=False)
    replies.do_record_csat(db, case_id, body.score, utcnow(), actor=_actor(principal))
    return _detail(db, principal, case_id)
