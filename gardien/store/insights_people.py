"""People and threads read models: members' histories for the funnel, authors' stats for the
influencer ranking, threads' stats for good discussions. All read `post_facts` through its
(community_id, author_id, day) or (community_id, day, …) indexes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import ColumnElement, Integer, case, delete, func, insert, or_, select, tuple_
from sqlalchemy.orm import Session

from gardien.insights.discussions import ThreadStats
from gardien.insights.funnel import STAGES, MemberHistory, Placement
from gardien.insights.influence import AuthorStats
from gardien.store.insights_dashboard import Scope, _where
from gardien.store.tables import AuthorRow, ChannelRow
from gardien.store.tables_care import CaseRow
from gardien.store.tables_insights import MemberStageRow
from gardien.store.tables_insights import PostFactRow as F
from gardien.store.tables_members import MemberRow, SanctionRow


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0)).cast(Integer)


def member_histories(session: Session, community_id: int, until: date) -> list[MemberHistory]:
    """Every author's history in the community up to `until` (brand accounts included: the
    caller leaves them out)."""
    reviews = select(ChannelRow.id).where(
        ChannelRow.community_id == community_id, ChannelRow.kind == "reviews"
    )
    customers = set(
        session.scalars(
            select(CaseRow.author_id).where(CaseRow.community_id == community_id).distinct()
        )
    )
    rows = session.execute(
        select(
            F.author_id,
            AuthorRow.handle,
            func.count(),
            func.count(F.thread.distinct()),
            func.count(F.day.distinct()),
            _count_if(F.sentiment == "positive"),
            _count_if(F.sentiment == "negative"),
            _count_if(F.intent == "praise"),
            _count_if(F.complaint.is_(True)),
            _count_if(F.channel_id.in_(reviews)),
        )
        .join(AuthorRow, AuthorRow.id == F.author_id)
        .where(F.community_id == community_id, F.day <= until, F.spam.is_(False))
        .group_by(F.author_id, AuthorRow.handle)
    ).all()
    histories = [
        MemberHistory(
            author_id=row[0],
            handle=row[1],
            posts=row[2],
            threads=row[3],
            days=row[4],
            positive=row[5] or 0,
            negative=row[6] or 0,
            praise=row[7] or 0,
            complaints=row[8] or 0,
            customer=bool(row[9]) or row[0] in customers,
        )
        for row in rows
    ]
    return histories


def evidence_posts(
    session: Session, community_id: int, author_ids: Collection[int], positive: bool, per: int = 3
) -> dict[int, tuple[int, ...]]:
    """The latest `per` positive (or negative) posts of each author: the evidence for a stage."""
    if not author_ids:
        return {}
    tone = (
        or_(F.sentiment == "positive", F.intent == "praise")
        if positive
        else or_(F.sentiment == "negative", F.complaint.is_(True))
    )
    found: dict[int, list[int]] = defaultdict(list)
    rows = session.execute(
        select(F.author_id, F.post_id)
        .where(F.community_id == community_id, F.author_id.in_(author_ids), tone)
        .order_by(F.post_id.desc())
    )
    for author_id, post_id in rows:
        if len(found[author_id]) < per:
            found[author_id].append(post_id)
    return {author: tuple(posts) for author, posts in found.items()}


def author_stats(
    session: Session, scope: Scope, now: datetime, candidates: int = 1000
) -> list[AuthorStats]:
    """The period's most-followed authors with what the influencer score needs. Posts are
    summed per author first (covered by ix_post_facts_authors), then joined to the authors
    once per author rather than once per post."""
    per_author = (
        select(
            F.author_id,
            func.count().label("posts"),
            func.sum(F.interactions).label("interactions"),
            func.sum(F.polarity).label("polarity"),
            _count_if(F.spam.is_(True)).label("spam"),
        )
        .where(*_where(scope))
        .group_by(F.author_id)
        .subquery()
    )
    rows = session.execute(
        select(
            per_author.c.author_id,
            AuthorRow.handle,
            AuthorRow.followers,
            per_author.c.posts,
            per_author.c.interactions,
            per_author.c.polarity,
            per_author.c.spam,
        )
        .join(AuthorRow, AuthorRow.id == per_author.c.author_id)
        .order_by(AuthorRow.followers.desc(), per_author.c.author_id)
        .limit(candidates)
    ).all()
    ids = [row[0] for row in rows]
    members = {
        author_id: (member_id, trust)
        for author_id, member_id, trust in session.execute(
            select(MemberRow.author_id, MemberRow.id, MemberRow.trust_level).where(
                MemberRow.community_id == scope.community_id, MemberRow.author_id.in_(ids)
            )
        )
    }
    sanctioned = sanctioned_members(session, [m for m, _ in members.values()], now)
    posts = _latest_posts(session, scope, ids)
    return [
        AuthorStats(
            author_id=row[0],
            handle=row[1],
            followers=row[2],
            posts=row[3],
            interactions=int(row[4] or 0),
            polarity_sum=float(row[5] or 0.0),
            trust_level=members[row[0]][1] if row[0] in members else None,
            sanctioned=row[0] in members and members[row[0]][0] in sanctioned,
            spam_posts=row[6] or 0,
            post_ids=posts.get(row[0], ()),
        )
        for row in rows
    ]


def sanctioned_members(session: Session, member_ids: Collection[int], now: datetime) -> set[int]:
    """Members under a sanction that is neither lifted nor over (warnings do not count)."""
    if not member_ids:
        return set()
    return set(
        session.scalars(
            select(SanctionRow.member_id).where(
                SanctionRow.member_id.in_(member_ids),
                SanctionRow.kind != "warn",
                SanctionRow.lifted_at.is_(None),
                or_(SanctionRow.ends_at.is_(None), SanctionRow.ends_at > now),
            )
        )
    )


def _latest_posts(
    session: Session, scope: Scope, author_ids: list[int], per: int = 3
) -> dict[int, tuple[int, ...]]:
    found: dict[int, list[int]] = defaultdict(list)
    for author_id, post_id in session.execute(
        select(F.author_id, F.post_id)
        .where(*_where(scope), F.author_id.in_(author_ids[:50]))
        .order_by(F.post_id.desc())
    ):
        if len(found[author_id]) < per:
            found[author_id].append(post_id)
    return {author: tuple(posts) for author, posts in found.items()}


def thread_stats(session: Session, scope: Scope, min_participants: int = 3) -> list[ThreadStats]:
    """Threads of the period with at least `min_participants` distinct authors (read from the
    covering ix_post_facts_threads alone)."""
    participants = func.count(F.author_id.distinct())
    # Most threads hold one or two posts: only those with enough posts to have enough
    # participants are counted in full (a plain count first, no DISTINCT, no sort on PostgreSQL).
    busy = (
        select(F.channel_id, F.thread)
        .where(*_where(scope))
        .group_by(F.channel_id, F.thread)
        .having(func.count() >= min_participants)
    )
    rows = session.execute(
        select(
            F.thread,
            func.min(F.post_id),
            func.count(),
            participants,
            _count_if(F.sentiment == "positive"),
            _count_if(F.sentiment == "negative"),
            _count_if(F.queue == "moderation"),
            _count_if(F.off_topic.is_(True)),
        )
        .where(*_where(scope), tuple_(F.channel_id, F.thread).in_(busy))
        .group_by(F.channel_id, F.thread)
        .having(participants >= min_participants)
    ).all()
    return [ThreadStats(*row) for row in rows]


def save_stages(
    session: Session, community_id: int, placements: list[Placement], now: datetime
) -> None:
    """Replace the community's stored funnel with `placements`."""
    session.execute(delete(MemberStageRow).where(MemberStageRow.community_id == community_id))
    rows = [
        {
            "community_id": community_id,
            "author_id": p.author_id,
            "handle": p.handle[:200],
            "stage": p.stage,
            "evidence": p.evidence,
            "weight": p.weight,
            "post_ids": list(p.post_ids),
            "computed_at": now,
        }
        for p in placements
    ]
    for start in range(0, len(rows), 5000):
        session.execute(insert(MemberStageRow), rows[start : start + 5000])


def stage_counts(session: Session, community_id: int) -> tuple[dict[str, int], datetime | None]:
    """Members per stage as last computed, and when (None: never computed)."""
    rows = session.execute(
        select(MemberStageRow.stage, func.count(), func.max(MemberStageRow.computed_at))
        .where(MemberStageRow.community_id == community_id)
        .group_by(MemberStageRow.stage)
    ).all()
    counts = dict.fromkeys(STAGES, 0)
    counts.update({stage: n for stage, n, _ in rows})
    return counts, max((at for _, _, at in rows), default=None)


def stage_members(
    session: Session, community_id: int, stage: str, limit: int = 200
) -> list[Placement]:
    """The stored members at `stage`, clearest evidence first."""
    rows = session.scalars(
        select(MemberStageRow)
        .where(MemberStageRow.community_id == community_id, MemberStageRow.stage == stage)
        .order_by(MemberStageRow.weight.desc(), MemberStageRow.handle)
        .limit(limit)
    )
    return [
        Placement(r.author_id, r.handle, r.stage, r.evidence, tuple(r.post_ids or ()), r.weight)
        for r in rows
    ]
