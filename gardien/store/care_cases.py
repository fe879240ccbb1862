"""What the care actions read about a case and its posts: the post being taken in, the case it
may join, and the inputs of its virality risk (engagement curve, signals, echoes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, distinct, func, or_, select
from sqlalchemy.orm import Session

from gardien.care.text import CareCatalog, severity
from gardien.care.virality import EngagementPoint, RiskInputs
from gardien.store.care_config import OPEN_STATUSES
from gardien.store.tables import (
    AuthorRow,
    ChannelRow,
    CommunityRow,
    EngagementRow,
    PostRow,
    TriageRow,
)
from gardien.store.tables_care import CaseEventRow, CasePostRow, CaseRow, MentionRow

#: The scores that say a post is negative; the strongest one counts.
NEGATIVE_SCORES = ("sentiment.negative", "complaint", "intent.complaint")
#: A resolved case comes back to life when its author returns on the same topic within this.
REOPEN_WITHIN = timedelta(days=14)
#: Other authors' negative posts on the same product or topic within this count as echoes.
ECHO_WITHIN = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class PostFacts:
    """One post as the care intake needs it."""

    post: PostRow
    author: AuthorRow
    channel: str
    community_id: int
    community: str
    signals: dict[str, Any]
    language: str | None


def negativity_of(signals: dict[str, Any]) -> float:
    """How negative a post reads: the strongest of its negative sentiment and complaint scores."""
    scores = signals.get("scores", {})
    return max(
        (float(scores[name]["value"]) for name in NEGATIVE_SCORES if name in scores),
        default=0.0,
    )


def score_of(signals: dict[str, Any], name: str) -> float:
    found = signals.get("scores", {}).get(name)
    return float(found["value"]) if found else 0.0


def post_facts(session: Session, post_id: int) -> PostFacts | None:
    return post_facts_many(session, [post_id]).get(post_id)


def post_facts_many(session: Session, post_ids: Sequence[int]) -> dict[int, PostFacts]:
    """The facts of many posts in one query (triage hands over a whole batch at once)."""
    if not post_ids:
        return {}
    rows = session.execute(
        select(PostRow, AuthorRow, ChannelRow.name, CommunityRow.id, CommunityRow.slug, TriageRow)
        .join(AuthorRow, AuthorRow.id == PostRow.author_id)
        .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
        .join(CommunityRow, CommunityRow.id == ChannelRow.community_id)
        .outerjoin(TriageRow, TriageRow.post_id == PostRow.id)
        .where(PostRow.id.in_(list(post_ids)))
    )
    return {
        post.id: PostFacts(
            post,
            author,
            channel,
            community_id,
            slug,
            dict(triage.signals) if triage else {},
            triage.language if triage else None,
        )
        for post, author, channel, community_id, slug, triage in rows
    }


def case_of_post(session: Session, post_id: int) -> CaseRow | None:
    return session.scalar(
        select(CaseRow)
        .join(CasePostRow, CasePostRow.case_id == CaseRow.id)
        .where(CasePostRow.post_id == post_id)
    )


def case_to_join(
    session: Session, facts: PostFacts, topic: str | None, product: str | None = None
) -> tuple[CaseRow | None, bool]:
    """The author's case this post belongs to, and whether it must be reopened: an open case in
    the same thread or on the same topic or product, else such a case resolved recently."""
    post = facts.post
    same_thread = (
        select(CasePostRow.case_id)
        .join(PostRow, PostRow.id == CasePostRow.post_id)
        .where(PostRow.channel_id == post.channel_id, PostRow.thread_id == post.thread_id)
    )
    related: ColumnElement[bool] = CaseRow.id.in_(same_thread)
    if topic is not None:
        related = or_(related, CaseRow.topic == topic)
    if product is not None:
        related = or_(related, CaseRow.product == product)
    base = (
        select(CaseRow)
        .where(
            CaseRow.community_id == facts.community_id,
            CaseRow.author_id == post.author_id,
            related,
        )
        .order_by(CaseRow.id.desc())
        .limit(1)
    )
    found = session.scalar(base.where(CaseRow.status.in_(OPEN_STATUSES)))
    if found is not None:
        return found, False
    since = post.created_at - REOPEN_WITHIN
    found = session.scalar(base.where(CaseRow.status == "resolved", CaseRow.resolved_at >= since))
    return found, found is not None


def add_event(
    session: Session,
    case_id: int,
    at: datetime,
    actor: str,
    kind: str,
    note: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        CaseEventRow(case_id=case_id, at=at, actor=actor, kind=kind, note=note, detail=detail or {})
    )


def _curve(session: Session, post_id: int, now: datetime) -> list[EngagementPoint]:
    return [
        EngagementPoint(at, likes, replies, shares)
        for at, likes, replies, shares in session.execute(
            select(
                EngagementRow.observed_at,
                EngagementRow.likes,
                EngagementRow.replies,
                EngagementRow.shares,
            )
            .where(EngagementRow.post_id == post_id, EngagementRow.observed_at <= now)
            .order_by(EngagementRow.observed_at)
        )
    ]


def echoes(session: Session, case: CaseRow, now: datetime) -> int:
    """Other authors who posted negatively about the case's product (else topic) within a day
    either side of the case's opening (and not after `now`)."""
    if case.product is None and case.topic is None:
        return 0
    same = MentionRow.product == case.product if case.product else MentionRow.topic == case.topic
    opened = case.opened_at or case.created_at
    return int(
        session.scalar(
            select(func.count(distinct(MentionRow.author_id))).where(
                MentionRow.community_id == case.community_id,
                MentionRow.author_id != case.author_id,
                same,
                MentionRow.at > opened - ECHO_WITHIN,
                MentionRow.at <= min(now, opened + ECHO_WITHIN),
            )
        )
        or 0
    )


def risk_inputs(session: Session, case: CaseRow, catalog: CareCatalog, now: datetime) -> RiskInputs:
    """The case's risk inputs: its most engaged post's curve, its posts' strongest signals."""
    rows = session.execute(
        select(PostRow, TriageRow.signals)
        .join(CasePostRow, CasePostRow.post_id == PostRow.id)
        .outerjoin(TriageRow, TriageRow.post_id == PostRow.id)
        .where(CasePostRow.case_id == case.id)
    ).all()
    followers = session.scalar(select(AuthorRow.followers).where(AuthorRow.id == case.author_id))
    if not rows:
        return RiskInputs(followers=followers or 0, now=now)
    lead = max(rows, key=lambda row: row[0].likes + 2 * row[0].replies + 3 * row[0].shares)[0]
    signals = [dict(row[1] or {}) for row in rows]
    return RiskInputs(
        followers=followers or 0,
        curve=_curve(session, lead.id, now),
        negativity=max(negativity_of(s) for s in signals),
        severity=max(
            severity(catalog, post.text, score_of(s, "offensive"))
            for (post, _), s in zip(rows, signals, strict=True)
        ),
        echoes=echoes(session, case, now),
        public=any(row[0].visibility == "public" for row in rows),
        posted_at=lead.created_at,
        now=now,
    )
