"""Talking with the customer: replies (queued in the outbox for the channel adapter and
recorded), waiting on the customer, resolution, reopening and the satisfaction answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gardien.actions import outbox
from gardien.actions.care import CareError, audit_case, get_case, reopen_case
from gardien.domain import OutboundAction
from gardien.errors import ConflictError, NotFoundError
from gardien.store.care_cases import post_facts
from gardien.store.tables import PostRow
from gardien.store.tables_care import CaseRow, ReplyRow


def do_wait_for_customer(session: Session, case_id: int, now: datetime, *, actor: str) -> CaseRow:
    case = get_case(session, case_id)
    if case.status == "resolved":
        raise CareError("the case is resolved; reopen it first")
    case.status = "waiting_customer"
    audit_case(session, case, actor, "wait_customer", now)
    return case


def do_reply(
    session: Session,
    case_id: int,
    text: str,
    now: datetime,
    *,
    actor: str,
    agent: str,
    template: str | None = None,
    to_post: int | None = None,
) -> ReplyRow:
    """Record the reply and queue it in the outbox for the channel adapter; the first reply
    stops the first-response clock."""
    case = get_case(session, case_id)
    if not text.strip():
        raise CareError("the reply is empty")
    target = session.get(PostRow, to_post or case.post_id)
    if target is None:
        raise NotFoundError(f"no post {to_post}")
    count = session.scalar(select(func.count()).where(ReplyRow.case_id == case.id)) or 0
    key = f"care:case:{case.id}:reply:{count + 1}"
    reply = ReplyRow(
        case_id=case.id,
        post_id=target.id,
        agent=agent,
        text=text,
        template=template,
        outbox_key=key,
        created_at=now,
    )
    session.add(reply)
    facts = post_facts(session, target.id)
    outbox.enqueue(
        session,
        key,
        OutboundAction(
            facts.channel if facts else "",
            "reply",
            target.external_id,
            {"text": text, "thread_id": target.thread_id, "case": case.id, "agent": agent},
        ),
        now,
    )
    if case.first_response_at is None:
        case.first_response_at = now
    if case.status == "new":
        case.status = "assigned"
        case.assignee = case.assignee or agent
    audit_case(session, case, actor, "reply", now, text[:200], outbox_key=key, template=template)
    session.flush()
    return reply


def do_resolve(
    session: Session, case_id: int, now: datetime, *, actor: str, note: str = ""
) -> CaseRow:
    case = get_case(session, case_id)
    if case.status == "resolved":
        raise ConflictError("the case is already resolved")
    case.status, case.resolved_at = "resolved", now
    audit_case(session, case, actor, "resolve", now, note)
    return case


def do_reopen(
    session: Session, case_id: int, now: datetime, *, actor: str, reason: str = ""
) -> CaseRow:
    case = get_case(session, case_id)
    if case.status != "resolved":
        raise ConflictError("the case is not resolved")
    reopen_case(session, case, now, actor, reason)
    return case


def do_record_csat(
    session: Session, case_id: int, score: int, now: datetime, *, actor: str
) -> CaseRow:
    """The author's answer to the satisfaction question (1–5), after resolution."""
    case = get_case(session, case_id)
    if case.status != "resolved":
        raise CareError("satisfaction is asked after the case is resolved")
    if not 1 <= score <= 5:
        raise CareError("satisfaction is a score from 1 to 5")
    case.csat = score
    audit_case(session, case, actor, "csat", now, score=score)
    return case
