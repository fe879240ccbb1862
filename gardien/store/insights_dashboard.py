"""Dashboard read models over `post_facts`: the counts, the posts behind a number, themes'
input texts and response times. Each query reads one community's period through an index that
starts with (community_id, …), so its cost follows the period, not the whole table."""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from gardien.insights.dashboard import DAILY_UP_TO, Counts
from gardien.insights.themes import Doc
from gardien.store.communities import find_channel, find_community
from gardien.store.tables import AuthorRow, ChannelRow, PostRow
from gardien.store.tables_insights import DailyCountRow as D
from gardien.store.tables_insights import PostFactRow as F
from gardien.store.tables_insights import WeeklyCountRow as W


@dataclass(frozen=True, slots=True)
class Scope:
    """One community's period (both days included), optionally one channel and one language."""

    community_id: int
    community: str
    since: date
    until: date
    channel_id: int | None = None
    language: str | None = None


def resolve_scope(
    session: Session,
    community: str,
    since: date,
    until: date,
    channel: str | None = None,
    language: str | None = None,
) -> Scope:
    row = find_community(session, community)
    channel_id = None
    if channel:
        found = find_channel(session, channel)
        channel_id = found.id if found.community_id == row.id else -1
    return Scope(row.id, row.slug, since, until, channel_id, language or None)


def _where(scope: Scope) -> list[Any]:
    clauses = [F.community_id == scope.community_id, F.day >= scope.since, F.day <= scope.until]
    if scope.channel_id is not None:
        clauses.append(F.channel_id == scope.channel_id)
    if scope.language:
        clauses.append(F.language == scope.language)
    return clauses


def _daily_where(scope: Scope) -> list[Any]:
    return _summary_where(D, D.day, scope, scope.since, scope.until)


def _summary_where(table: Any, day: Any, scope: Scope, since: date, until: date) -> list[Any]:
    clauses = [table.community_id == scope.community_id, day >= since, day <= until]
    if scope.channel_id is not None:
        clauses.append(table.channel_id == scope.channel_id)
    if scope.language:
        clauses.append(table.language == scope.language)
    return clauses


def _parts(scope: Scope) -> list[tuple[Any, Any, date, date]]:
    """Where a period's counts come from: per day when the dashboard charts it per day;
    otherwise its whole weeks from `post_weekly` and its partial edge weeks per day."""
    if (scope.until - scope.since).days < DAILY_UP_TO:
        return [(D, D.day, scope.since, scope.until)]
    first = scope.since + timedelta(days=-scope.since.weekday() % 7)  # first Monday
    end = scope.until - timedelta(days=(scope.until.weekday() + 1) % 7)  # last Sunday
    parts: list[tuple[Any, Any, date, date]] = [(W, W.week, first, end - timedelta(days=6))]
    if first > scope.since:
        parts.append((D, D.day, scope.since, first - timedelta(days=1)))
    if end < scope.until:
        parts.append((D, D.day, end + timedelta(days=1), scope.until))
    return parts


def cube(session: Session, scope: Scope) -> Counts:
    """The period's counts in four groupings (see `Counts`), summed from the summaries
    (`post_daily`, `post_weekly`: a few hundred rows a day or week, read through their covering
    indexes) rather than from the posts, so a year costs about what a month of posts would.
    Whole weeks are dated by their Monday, which is how the weekly charts bucket them."""
    counts = Counts()
    for table, day, since, until in _parts(scope):
        _add_counts(session, counts, table, day, _summary_where(table, day, scope, since, until))
    return counts


def _add_counts(session: Session, counts: Counts, t: Any, day: Any, where: list[Any]) -> None:
    n = func.sum(t.posts)
    volume = session.execute(select(day, t.sentiment, n).where(*where).group_by(day, t.sentiment))
    mix_groups = (t.sentiment, t.intent, t.complaint, t.queue, t.language, t.channel_id)
    mix = session.execute(select(*mix_groups, n).where(*where).group_by(*mix_groups))
    named = (*where, t.product != "")
    product_groups = (t.product, t.intent, t.complaint)
    products = session.execute(select(*product_groups, n).where(*named).group_by(*product_groups))
    improvement = t.intent.in_(("feature_request", "complaint")) | t.complaint.is_(True)
    daily = session.execute(
        select(t.product, day, n).where(*named, improvement).group_by(t.product, day)
    )
    counts.volume += [(d, s, int(k)) for d, s, k in volume if k]
    counts.mix += [(s, i, c, q, lang, ch, int(k)) for s, i, c, q, lang, ch, k in mix if k]
    counts.products += [(p, i, c, int(k)) for p, i, c, k in products if k]
    counts.improvement += [(p, d, int(k)) for p, d, k in daily if k]


def latest_day(session: Session, community: str) -> date | None:
    """The day of the community's latest judged post (where a default period ends)."""
    row = find_community(session, community)
    found: date | None = session.scalar(select(func.max(F.day)).where(F.community_id == row.id))
    return found


def baseline_count(session: Session, scope: Scope) -> int:
    """A plain COUNT(*) over the same rows: what the benchmark compares the cube against."""
    return int(session.scalar(select(func.count()).select_from(F).where(*_where(scope))) or 0)


@dataclass(frozen=True, slots=True)
class PostFilter:
    """Which posts a number counts: any field left None does not narrow."""

    sentiment: str | None = None
    intent: str | None = None
    complaint: bool | None = None
    product: str | None = None
    aspect: str | None = None
    queue: str | None = None
    day: date | None = None
    days: int = 1
    author_id: int | None = None
    thread: str | None = None
    improvement: bool = False
    post_ids: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class FactPost:
    id: int
    created_at: datetime
    handle: str
    channel: str
    text: str
    sentiment: str
    intent: str
    product: str | None
    url: str | None


def posts_behind(
    session: Session, scope: Scope, which: PostFilter, limit: int = 50, before_id: int | None = None
) -> list[FactPost]:
    """The posts a number counts, newest id first (keyset paging with `before_id`)."""
    clauses = _where(scope)
    for column, value in (
        (F.sentiment, which.sentiment),
        (F.intent, which.intent),
        (F.complaint, which.complaint),
        (F.product, which.product),
        (F.aspect, which.aspect),
        (F.queue, which.queue),
        (F.author_id, which.author_id),
        (F.thread, which.thread),
    ):
        if value is not None:
            clauses.append(column == value)
    if which.post_ids is not None:
        clauses.append(F.post_id.in_(which.post_ids))
    if which.improvement:
        clauses.append(F.intent.in_(("feature_request", "complaint")) | F.complaint.is_(True))
    if which.day is not None:
        clauses += [F.day >= which.day, F.day < which.day + timedelta(days=which.days)]
    if before_id is not None:
        clauses.append(F.post_id < before_id)
    rows = session.execute(
        select(
            PostRow.id,
            PostRow.created_at,
            AuthorRow.handle,
            ChannelRow.name,
            PostRow.text,
            F.sentiment,
            F.intent,
            F.product,
            PostRow.url,
        )
        .join(PostRow, PostRow.id == F.post_id)
        .join(AuthorRow, AuthorRow.id == PostRow.author_id)
        .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
        .where(*clauses)
        .order_by(F.post_id.desc())
        .limit(limit)
    )
    return [FactPost(*row) for row in rows]


#: What product listening clusters: what people like, want, complain about and ask.
LISTENED = ("praise", "feature_request", "complaint", "question", "unknown")


def theme_docs(session: Session, scope: Scope, limit: int = 2000) -> list[Doc]:
    """The latest `limit` posts worth clustering: about the products (or not yet labelled),
    not spam, not held for moderation."""
    rows = session.execute(
        select(F.post_id, PostRow.text, F.day)
        .join(PostRow, PostRow.id == F.post_id)
        .where(
            *_where(scope),
            F.intent.in_(LISTENED),
            F.spam.is_(False),
            F.queue != "moderation",
        )
        .order_by(F.post_id.desc())
        .limit(limit)
    )
    return [Doc(post_id, text, day) for post_id, text, day in rows]


#: A brand reply counts as the answer when it comes at most this long after the post.
REPLY_WITHIN = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    """How fast the brand answered: from care cases when they record first responses,
    otherwise observed on the channels (first reply in the thread by a brand account)."""

    source: str
    asked: int
    answered: int
    median_minutes: float | None
    p90_minutes: float | None
    within_sla: int | None
    examples: tuple[int, ...]

    @property
    def answered_share(self) -> float:
        return round(self.answered / self.asked, 4) if self.asked else 0.0


def _summary(
    source: str, asked: int, delays: list[float], within: int | None, examples: list[int]
) -> ResponseTimes:
    ordered = sorted(delays)
    median = round(statistics.median(ordered), 1) if ordered else None
    p90 = round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))], 1) if ordered else None
    return ResponseTimes(source, asked, len(ordered), median, p90, within, tuple(examples[:20]))


def response_times(
    session: Session, scope: Scope, brand_accounts: tuple[str, ...]
) -> ResponseTimes:
    """Care cases' first responses when the care area records them, else brand replies."""
    from_cases = _case_response_times(session, scope)
    if from_cases is not None:
        return from_cases
    return _thread_response_times(session, scope, brand_accounts)


def _case_response_times(session: Session, scope: Scope) -> ResponseTimes | None:
    # Hook: the care area's CaseRow gains first_response_at/first_response_due; until it has
    # them (or no case in the period has an answer yet) the channels are observed instead.
    from gardien.store.tables_care import CaseRow

    answered_at = getattr(CaseRow, "first_response_at", None)
    due_at = getattr(CaseRow, "first_response_due", None)
    if answered_at is None or due_at is None:
        return None
    start = datetime.combine(scope.since, datetime.min.time(), UTC)
    end = datetime.combine(scope.until + timedelta(days=1), datetime.min.time(), UTC)
    rows = session.execute(
        select(CaseRow.post_id, CaseRow.created_at, answered_at, due_at).where(
            CaseRow.community_id == scope.community_id,
            CaseRow.created_at >= start,
            CaseRow.created_at < end,
        )
    ).all()
    if not any(row[2] is not None for row in rows):
        return None
    delays = [(row[2] - row[1]).total_seconds() / 60 for row in rows if row[2] is not None]
    within = sum(
        1 for row in rows if row[2] is not None and row[3] is not None and row[2] <= row[3]
    )
    slow = sorted((row for row in rows if row[2] is not None), key=lambda r: r[1] - r[2])
    return _summary("care cases", len(rows), delays, within, [row[0] for row in slow])


def _thread_response_times(
    session: Session, scope: Scope, brand_accounts: tuple[str, ...]
) -> ResponseTimes:
    handles = [handle.casefold() for handle in brand_accounts]
    # The community's channels first: a range of the authors' (channel_id, external_id) index
    # rather than a scan of every author.
    channels = list(
        session.scalars(select(ChannelRow.id).where(ChannelRow.community_id == scope.community_id))
    )
    brand_ids = (
        list(
            session.scalars(
                select(AuthorRow.id).where(
                    AuthorRow.channel_id.in_(channels), func.lower(AuthorRow.handle).in_(handles)
                )
            )
        )
        if handles
        else []
    )
    asked = and_(
        *_where(scope),
        F.intent.in_(("question", "complaint")) | F.complaint.is_(True),
        F.author_id.not_in(brand_ids or [-1]),
    )
    if not brand_ids:
        total = int(session.scalar(select(func.count()).select_from(F).where(asked)) or 0)
        return _summary("no brand accounts set", total, [], None, [])
    # Index range reads and a merge in Python, rather than one correlated lookup per asked
    # post: the brand's posts from the period's start to REPLY_WITHIN days after its end
    # (ix_post_facts_author), the period's asked posts (covered by ix_post_facts_threads), and
    # the times of only those asked in a thread the brand posted in.
    replies: dict[tuple[int, str], list[datetime]] = defaultdict(list)
    for channel_id, thread, replied in session.execute(
        select(F.channel_id, F.thread, PostRow.created_at)
        .join(PostRow, PostRow.id == F.post_id)
        .where(
            F.community_id == scope.community_id,
            F.author_id.in_(brand_ids),
            F.day >= scope.since,
            F.day <= scope.until + REPLY_WITHIN,
        )
    ):
        replies[(channel_id, thread)].append(replied)
    for times in replies.values():
        times.sort()
    asked_rows = session.execute(select(F.channel_id, F.thread, F.post_id).where(asked)).all()
    answerable = [(row[2], (row[0], row[1])) for row in asked_rows if (row[0], row[1]) in replies]
    created: dict[int, datetime] = {}
    for start in range(0, len(answerable), 1000):
        ids = [post_id for post_id, _ in answerable[start : start + 1000]]
        found = session.execute(select(PostRow.id, PostRow.created_at).where(PostRow.id.in_(ids)))
        created.update((post_id, at) for post_id, at in found)
    rows = []
    for post_id, key in answerable:
        times, at = replies[key], created[post_id]
        first = bisect.bisect_right(times, at)
        if first < len(times) and times[first] - at <= REPLY_WITHIN:
            rows.append((post_id, at, times[first]))
    delays = [(first - created).total_seconds() / 60 for _, created, first in rows]
    slow = sorted(rows, key=lambda row: row[1] - row[2])
    total = len(asked_rows)
    return _summary("brand replies on the channels", total, delays, None, [r[0] for r in slow])
