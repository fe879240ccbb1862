"""Read models of the care inbox: open cases ranked by risk and SLA pressure, with the score's
parts; one case with its thread, the author's history, events and replies."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gardien.care.priority import Tier, pressure, rank
from gardien.care.sla import SlaState, SlaTarget, status
from gardien.errors import NotFoundError
from gardien.store import care_config as config
from gardien.store.care_config import OPEN_STATUSES
from gardien.store.queries import PostView, post_detail
from gardien.store.tables import AuthorRow, ChannelRow, CommunityRow, PostRow
from gardien.store.tables_care import CaseEventRow, CasePostRow, CaseRow, ReplyRow


@dataclass(frozen=True, slots=True)
class Scope:
    """Which cases a reader may see: whole communities, and departments' cases elsewhere
    (community → departments). None for `communities` means every community (the CLI)."""

    communities: Collection[str] | None = None
    departments: dict[str, frozenset[str]] = field(default_factory=dict)

    def allows(self, community: str, department: str | None) -> bool:
        if self.communities is None or community in self.communities:
            return True
        return department is not None and department in self.departments.get(community, ())


@dataclass(slots=True)
class InboxItem:
    id: int
    community: str
    status: str
    tier: str
    risk: float
    rank: float
    parts: list[dict[str, Any]]
    department: str | None
    assignee: str | None
    topic: str | None
    product: str | None
    language: str | None
    opened_at: datetime
    first_response_due: datetime | None
    resolution_due: datetime | None
    sla_state: str
    sla_minutes_left: float | None
    post_id: int
    channel: str
    author: str
    author_handle: str
    followers: int
    text: str
    visibility: str
    posts: int = 1


@dataclass(slots=True)
class CaseDetail:
    case: InboxItem
    posts: list[PostView]
    thread: list[PostView]
    history: list[dict[str, Any]]
    events: list[dict[str, Any]]
    replies: list[dict[str, Any]]
    csat: int | None
    first_response_at: datetime | None
    resolved_at: datetime | None


def _sla(case: CaseRow, target: SlaTarget, now: datetime) -> tuple[str, float | None, float]:
    """The case's nearest pending deadline: its state, minutes left and pressure on the rank."""
    opened = case.opened_at or case.created_at
    if case.status == "resolved" or case.first_response_due is None:
        return "met" if case.status == "resolved" else "none", None, 0.0
    if case.first_response_at is None:
        due, done = case.first_response_due, None
    else:
        due, done = case.resolution_due or case.first_response_due, None
    found = status(now, due, target, done)
    left = round(found.left.total_seconds() / 60, 1)
    weight = pressure(now, opened, due, target.hours) if found.state is not SlaState.MET else 0.0
    return found.state.value, left, weight


def _select() -> Any:
    return (
        select(CaseRow, PostRow, AuthorRow, ChannelRow.name, CommunityRow.slug)
        .join(PostRow, PostRow.id == CaseRow.post_id)
        .join(AuthorRow, AuthorRow.id == CaseRow.author_id)
        .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
        .join(CommunityRow, CommunityRow.id == CaseRow.community_id)
    )


def _items(session: Session, rows: list[Any], now: datetime) -> list[InboxItem]:
    targets: dict[tuple[int, str], SlaTarget] = {}
    counts: dict[int, int] = {}
    ids = [row[0].id for row in rows]
    for case_id in session.scalars(select(CasePostRow.case_id).where(CasePostRow.case_id.in_(ids))):
        counts[case_id] = counts.get(case_id, 0) + 1
    items = []
    for case, post, author, channel, community in rows:
        key = (case.community_id, case.tier)
        if key not in targets:
            targets[key] = config.sla_target(session, case.community_id, Tier(case.tier))
        state, left, weight = _sla(case, targets[key], now)
        items.append(
            InboxItem(
                id=case.id,
                community=community,
                status=case.status,
                tier=case.tier,
                risk=case.priority,
                rank=rank(case.priority, weight),
                parts=list((case.risk_parts or {}).get("parts", [])),
                department=case.department,
                assignee=case.assignee,
                topic=case.topic,
                product=case.product,
                language=case.language,
                opened_at=case.opened_at or case.created_at,
                first_response_due=case.first_response_due,
                resolution_due=case.resolution_due,
                sla_state=state,
                sla_minutes_left=left,
                post_id=post.id,
                channel=channel,
                author=author.external_id,
                author_handle=author.handle,
                followers=author.followers,
                text=post.text,
                visibility=post.visibility,
                posts=counts.get(case.id, 1),
            )
        )
    return items


def inbox(
    session: Session,
    now: datetime,
    scope: Scope,
    community: str | None = None,
    department: str | None = None,
    limit: int = 50,
    after: tuple[float, int] | None = None,
    include_resolved: bool = False,
) -> list[InboxItem]:
    """Open cases the scope may see (opened by `now`), highest rank (risk + SLA pressure) first,
    then oldest id. Ranks depend on `now`: pass the same `now` for every page of one listing."""
    query = _select().where(func.coalesce(CaseRow.opened_at, CaseRow.created_at) <= now)
    if not include_resolved:
        query = query.where(CaseRow.status.in_(OPEN_STATUSES))
    if community:
        query = query.where(CommunityRow.slug == community)
    if department:
        query = query.where(CaseRow.department == department)
    rows = [row for row in session.execute(query).all() if scope.allows(row[4], row[0].department)]
    items = sorted(_items(session, rows, now), key=lambda item: (-item.rank, item.id))
    if after is not None:
        items = [i for i in items if (i.rank, -i.id) < (after[0], -after[1])]
    return items[:limit]


def visible_case(session: Session, case_id: int, scope: Scope) -> CaseRow:
    """The case if the scope may see it; NotFoundError both when missing and when forbidden."""
    row = session.execute(
        select(CaseRow, CommunityRow.slug)
        .join(CommunityRow, CommunityRow.id == CaseRow.community_id)
        .where(CaseRow.id == case_id)
    ).first()
    if row is None or not scope.allows(row[1], row[0].department):
        raise NotFoundError(f"no case {case_id}")
    case: CaseRow = row[0]
    return case


def case_detail(session: Session, case_id: int, scope: Scope, now: datetime) -> CaseDetail:
    """One case: its posts, the opening post's thread, the author's other posts and cases,
    its events and replies."""
    case = visible_case(session, case_id, scope)
    row = session.execute(_select().where(CaseRow.id == case_id)).one()
    item = _items(session, [row], now)[0]
    post_ids = list(
        session.scalars(
            select(CasePostRow.post_id)
            .where(CasePostRow.case_id == case_id)
            .order_by(CasePostRow.id)
        )
    )
    posts = [post_detail(session, post_id).post for post_id in post_ids]
    thread = post_detail(session, case.post_id).thread
    history = [
        {"post_id": p.id, "text": p.text, "created_at": p.created_at, "case": c}
        for p, c in session.execute(
            select(PostRow, CasePostRow.case_id)
            .outerjoin(CasePostRow, CasePostRow.post_id == PostRow.id)
            .where(PostRow.author_id == case.author_id, PostRow.id.not_in(post_ids))
            .order_by(PostRow.created_at.desc())
            .limit(20)
        )
    ]
    events = [
        {"at": e.at, "actor": e.actor, "kind": e.kind, "note": e.note, "detail": dict(e.detail)}
        for e in session.scalars(
            select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(CaseEventRow.id)
        )
    ]
    replies = [
        {"id": r.id, "agent": r.agent, "text": r.text, "template": r.template,
         "outbox_key": r.outbox_key, "created_at": r.created_at}
        for r in session.scalars(
            select(ReplyRow).where(ReplyRow.case_id == case_id).order_by(ReplyRow.id)
        )
    ]  # fmt: skip
    return CaseDetail(
        item, posts, thread, history, events, replies, case.csat, case.first_response_at,
        case.resolved_at,
    )  # fmt: skip
