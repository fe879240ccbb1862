"""Care cases change here, each change in one transaction with its audit entry and case event:
open or join, assign, route, hand back, wait, reply (queued in the outbox), resolve, reopen, CSAT.

`actor` is who acted: ``user:<name>`` for a person, ``rule:<name>`` for Gardien itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.actions import audit
from gardien.care.assignment import Strategy, choose
from gardien.care.priority import Tier, tier_for
from gardien.care.sla import SlaTarget, deadline
from gardien.care.text import CareCatalog
from gardien.care.virality import Risk, virality_risk
from gardien.domain import AuditEntry, Author, Post, Visibility
from gardien.domain.codec import signals_from_dict
from gardien.domain.decision import Queue
from gardien.errors import ConflictError, GardienError, NotFoundError
from gardien.pipeline.record import TriageRecord
from gardien.store import care_config as config
from gardien.store.care_cases import (
    NEGATIVE_SCORES,
    PostFacts,
    add_event,
    case_of_post,
    case_to_join,
    negativity_of,
    post_facts,
    post_facts_many,
    risk_inputs,
)
from gardien.store.tables import PostRow
from gardien.store.tables_care import CasePostRow, CaseRow, MentionRow
from gardien.store.upsert import insert_ignoring_duplicates

#: A post at least this negative counts towards spikes and echoes.
NEGATIVE_AT = 0.5
INTAKE = "rule:care-intake"


class CareError(GardienError):
    """A care action that cannot be done in the case's present state."""

    code = "care"


def audit_case(
    session: Session,
    case: CaseRow,
    actor: str,
    action: str,
    now: datetime,
    reason: str = "",
    policy_version: str = "",
    **detail: Any,
) -> None:
    audit.record(
        session,
        AuditEntry(
            at=now,
            actor=actor,
            action=f"care.{action}",
            target=f"case:{case.id}",
            reason=reason,
            policy_version=policy_version,
            detail=detail,
            community_id=case.community_id,
        ),
    )
    add_event(session, case.id, now, actor, action, reason, detail)
    case.last_activity_at = now


def get_case(session: Session, case_id: int) -> CaseRow:
    case = session.get(CaseRow, case_id, with_for_update=True)
    if case is None:
        raise NotFoundError(f"no case {case_id}")
    return case


def take_in(session: Session, records: Sequence[TriageRecord], now: datetime) -> None:
    """Triage's hand-over: note every negative post (for spikes and echoes), then open or join a
    case for each post the decision sent to the care inbox. Posts by the brand's own accounts
    open no case; their reply in a case's thread counts as its first response."""
    brands: dict[str, frozenset[str]] = {}
    wanted: list[TriageRecord] = []
    for record in records:
        if record.post_id is None or record.decision is None:
            continue
        if record.community not in brands:
            brands[record.community] = config.brand_accounts(session, record.community)
        if record.author and record.author.handle.casefold() in brands[record.community]:
            _note_brand_reply(session, record.post_id, now)
            continue
        scores = record.signals
        negative = max(scores.score(name) for name in NEGATIVE_SCORES) >= NEGATIVE_AT
        if negative or record.decision.queue is Queue.CARE:
            wanted.append(record)
    known = post_facts_many(session, [record.post_id for record in wanted if record.post_id])
    catalogs: dict[int, CareCatalog] = {}
    for record in wanted:
        assert record.post_id is not None and record.decision is not None
        facts = known.get(record.post_id)
        if facts is None:
            continue
        if facts.community_id not in catalogs:
            catalogs[facts.community_id] = config.catalog(session, facts.community_id)
        _note_mention(session, facts, catalogs[facts.community_id])
        if record.decision.queue is Queue.CARE:
            do_open_or_join_case(
                session,
                record.post_id,
                now,
                department=record.decision.department,
                policy_version=record.decision.policy_version,
                facts=facts,
            )


def _note_brand_reply(session: Session, post_id: int, now: datetime) -> None:
    post = session.get_one(PostRow, post_id)
    if post.parent_id is None:
        return
    parent = session.scalar(
        select(PostRow.id).where(
            PostRow.channel_id == post.channel_id, PostRow.external_id == post.parent_id
        )
    )
    case = case_of_post(session, parent) if parent is not None else None
    if case is None or case.first_response_at is not None:
        return
    case.first_response_at = post.created_at
    audit_case(session, case, INTAKE, "brand_reply", now, "the brand answered on the channel",
               post=post_id)  # fmt: skip


def _note_mention(session: Session, facts: PostFacts, catalog: CareCatalog) -> None:
    negativity = negativity_of(facts.signals)
    if negativity < NEGATIVE_AT:
        return
    row = {
        "post_id": facts.post.id,
        "community_id": facts.community_id,
        "author_id": facts.author.id,
        "channel": facts.channel,
        "at": facts.post.created_at,
        "product": catalog.product(facts.post.text),
        "topic": catalog.topic(facts.post.text),
        "negativity": negativity,
    }
    session.execute(insert_ignoring_duplicates(session, MentionRow).values(**row))


def do_open_or_join_case(
    session: Session,
    post_id: int,
    now: datetime,
    *,
    department: str | None = None,
    policy_version: str = "",
    actor: str = INTAKE,
    facts: PostFacts | None = None,
) -> CaseRow:
    """The case a complaint, question or urgent mention belongs to: the author's open case on
    the same thread or topic (joined), a recently resolved one (reopened), or a new case."""
    facts = facts or post_facts(session, post_id)
    if facts is None:
        raise NotFoundError(f"no post {post_id}")
    existing = case_of_post(session, post_id)
    if existing is not None:
        return existing
    catalog = config.catalog(session, facts.community_id)
    text = facts.post.text
    topic, product = catalog.topic(text), catalog.product(text)
    case, reopen = case_to_join(session, facts, topic, product)
    if case is not None:
        session.add(CasePostRow(case_id=case.id, post_id=post_id, added_at=now))
        session.flush()
        if reopen:
            reopen_case(session, case, now, actor, "the author came back on the same topic")
        audit_case(
            session, case, actor, "join", now, "same author, same thread or topic", post=post_id
        )
        case.product = case.product or product
        rescore(session, case, now)
        return case
    case = CaseRow(
        post_id=post_id,
        community_id=facts.community_id,
        author_id=facts.author.id,
        status="new",
        created_at=now,
        opened_at=facts.post.created_at,
        topic=topic,
        product=product,
        language=facts.language,
        risk_parts={},
    )
    session.add(case)
    session.flush()
    session.add(CasePostRow(case_id=case.id, post_id=post_id, added_at=now))
    case.department, rule = _route(session, facts, department, product, topic)
    audit_case(
        session,
        case,
        actor,
        "open",
        now,
        f"routed to {case.department} by {rule}",
        policy_version,
        post=post_id,
        topic=topic,
        product=product,
    )
    rescore(session, case, now)
    _auto_assign(session, case, now)
    return case


def _route(
    session: Session,
    facts: PostFacts,
    department: str | None,
    product: str | None,
    topic: str | None,
) -> tuple[str, str]:
    """The department from the routing rules, else the policy's decision, else its default."""
    post = facts.post
    choice = config.rules(session, facts.community_id).route(
        Post(
            channel=facts.channel,
            external_id=post.external_id,
            author=facts.author.external_id,
            text=post.text,
            created_at=post.created_at,
            language=facts.language or post.language_hint,
            visibility=Visibility(post.visibility),
        ),
        Author(
            facts.channel,
            facts.author.external_id,
            facts.author.handle,
            followers=facts.author.followers,
        ),
        signals_from_dict(facts.signals) if facts.signals else signals_from_dict({}),
        product,
        topic,
    )
    if choice is not None:
        return choice.department, f"routing rule {choice.rule!r}"
    if department:
        return department, "the policy's routing"
    return config.routing(session, facts.community_id).default_department, "the default department"


def rescore(
    session: Session,
    case: CaseRow,
    now: datetime,
    catalog: CareCatalog | None = None,
    targets: Mapping[Tier, SlaTarget] | None = None,
) -> Risk:
    """Recompute the case's risk and tier; a higher tier brings its deadlines closer (never
    further). Derived data, not a decision: no audit entry of its own. A periodic check passes
    the community's `catalog` and `targets` once for all its cases."""
    catalog = catalog or config.catalog(session, case.community_id)
    risk = virality_risk(risk_inputs(session, case, catalog, now))
    tier = tier_for(risk.score)
    case.priority, case.risk_parts, case.tier = risk.score, risk.as_dict(), tier.value
    target = (targets or {}).get(tier) or config.sla_target(session, case.community_id, tier)
    opened = case.opened_at or case.created_at
    first = deadline(opened, target.first_response, target.hours)
    final = deadline(opened, target.resolution, target.hours)
    case.first_response_due = min(filter(None, (case.first_response_due, first)))
    case.resolution_due = min(filter(None, (case.resolution_due, final)))
    return risk


def _auto_assign(session: Session, case: CaseRow, now: datetime) -> None:
    strategy, _ = config.strategy(session, case.community_id)
    if strategy is Strategy.MANUAL:
        return
    try:
        do_assign(session, case.id, now, actor=f"rule:{strategy.value}")
    except GardienError as error:
        add_event(session, case.id, now, f"rule:{strategy.value}", "unassigned", str(error))


def do_assign(
    session: Session, case_id: int, now: datetime, *, actor: str, agent: str | None = None
) -> CaseRow:
    """Give the case to `agent`, or to whoever the community's strategy picks."""
    case = get_case(session, case_id)
    if case.status == "resolved":
        raise CareError("the case is resolved; reopen it first")
    strategy, last = config.strategy(session, case.community_id)
    if agent is not None:
        strategy = Strategy.MANUAL
    elif strategy is Strategy.MANUAL:
        raise CareError("name an agent: this community assigns cases manually")
    chosen = choose(
        strategy, config.agents(session, case.community_id), now, case.language, last, agent
    )
    if strategy is Strategy.ROUND_ROBIN:
        config.settings_row(session, case.community_id).last_assigned = chosen.username
    previous, case.assignee = case.assignee, chosen.username
    if case.status in ("new", "waiting_customer"):
        case.status = "assigned"
    audit_case(session, case, actor, "assign", now, f"by {strategy.value}", agent=chosen.username,
           previous=previous)  # fmt: skip
    return case


def do_route_to_department(
    session: Session, case_id: int, department: str, now: datetime, *, actor: str, note: str = ""
) -> CaseRow:
    """Send the case to a department, which then sees it and works on it."""
    case = get_case(session, case_id)
    known = config.departments(session, case.community_id)
    if department not in known:
        raise CareError(f"no department {department!r}; known: {', '.join(known)}")
    if case.status == "resolved":
        raise CareError("the case is resolved; reopen it first")
    previous, case.department, case.status = case.department, department, "waiting_department"
    audit_case(session, case, actor, "route", now, note, department=department, previous=previous)
    return case


def do_hand_back(
    session: Session, case_id: int, now: datetime, *, actor: str, note: str
) -> CaseRow:
    """The department gives the case back to care, with a note saying what it found or did."""
    case = get_case(session, case_id)
    if case.status != "waiting_department":
        raise ConflictError("the case is not with a department")
    if not note.strip():
        raise CareError("a hand-back needs a note for the care agent")
    case.status = "assigned" if case.assignee else "new"
    audit_case(session, case, actor, "hand_back", now, note, department=case.department)
    return case


def reopen_case(session: Session, case: CaseRow, now: datetime, actor: str, reason: str) -> None:
    case.status = "assigned" if case.assignee else "new"
    case.resolved_at, case.reopened = None, case.reopened + 1
    audit_case(session, case, actor, "reopen", now, reason)
