"""Read models for the API and the console: posts with their judgement, queues, rejects.

Pagination is by cursor (the last id seen), so pages stay fast however deep one goes."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import Session

from gardien.errors import NotFoundError
from gardien.store.tables import (
    AuthorRow,
    ChannelRow,
    CommunityRow,
    EngagementRow,
    PostRevisionRow,
    PostRow,
    RejectRow,
    TriageRow,
)
from gardien.store.tables_care import CaseRow
from gardien.store.tables_members import ModerationItemRow


@dataclass(slots=True)
class PostView:
    id: int
    community: str
    channel: str
    external_id: str
    author: str
    author_handle: str
    followers: int
    text: str
    created_at: datetime
    thread_id: str | None
    parent_id: str | None
    likes: int
    replies: int
    shares: int
    visibility: str
    language: str | None = None
    action: str | None = None
    queue: str | None = None
    department: str | None = None
    reasons: list[dict[str, Any]] = field(default_factory=list)
    policy_version: str = ""


@dataclass(slots=True)
class PostDetail:
    post: PostView
    original_text: str
    edited_at: datetime | None
    extra: dict[str, Any]
    signals: dict[str, Any]
    revisions: list[dict[str, Any]]
    engagement: list[dict[str, Any]]
    thread: list[PostView]


@dataclass(slots=True)
class QueueItem:
    id: int
    status: str
    rank: float
    created_at: datetime
    post: PostView


@dataclass(slots=True)
class RejectView:
    id: int
    source: str
    channel: str
    line_no: int
    reason: str
    excerpt: str
    received_at: datetime


def _post_select() -> Any:
    return (
        select(
            PostRow,
            AuthorRow.external_id,
            AuthorRow.handle,
            AuthorRow.followers,
            ChannelRow.name,
            CommunityRow.slug,
            TriageRow,
        )
        .join(AuthorRow, AuthorRow.id == PostRow.author_id)
        .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
        .join(CommunityRow, CommunityRow.id == ChannelRow.community_id)
        .outerjoin(TriageRow, TriageRow.post_id == PostRow.id)
    )


def _view(row: Any) -> PostView:
    post, author, handle, followers, channel, community, triage = row
    return PostView(
        id=post.id,
        community=community,
        channel=channel,
        external_id=post.external_id,
        author=author,
        author_handle=handle,
        followers=followers,
        text=post.text,
        created_at=post.created_at,
        thread_id=post.thread_id,
        parent_id=post.parent_id,
        likes=post.likes,
        replies=post.replies,
        shares=post.shares,
        visibility=post.visibility,
        language=triage.language if triage else None,
        action=triage.action if triage else None,
        queue=triage.queue if triage else None,
        department=triage.department if triage else None,
        reasons=list(triage.reasons) if triage else [],
        policy_version=triage.policy_version if triage else "",
    )


def list_posts(
    session: Session,
    community: str | None = None,
    queue: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
    communities: Collection[str] | None = None,
) -> list[PostView]:
    """Newest posts first, optionally of one community or one queue (and only of `communities`,
    when given: those the caller may see)."""
    query = _post_select().order_by(PostRow.id.desc()).limit(limit)
    if community:
        query = query.where(CommunityRow.slug == community)
    if communities is not None:
        query = query.where(CommunityRow.slug.in_(sorted(communities)))
    if queue:
        query = query.where(TriageRow.queue == queue)
    if before_id:
        query = query.where(PostRow.id < before_id)
    return [_view(row) for row in session.execute(query)]


def post_detail(session: Session, post_id: int) -> PostDetail:
    """One post with its signals, reasons, revisions, engagement history and thread."""
    row = session.execute(_post_select().where(PostRow.id == post_id)).first()
    if row is None:
        raise NotFoundError(f"no post {post_id}")
    post, triage = row[0], row[-1]
    revisions = [
        {"text": rev.text, "edited_at": rev.edited_at, "recorded_at": rev.recorded_at}
        for rev in session.scalars(
            select(PostRevisionRow)
            .where(PostRevisionRow.post_id == post_id)
            .order_by(PostRevisionRow.id)
        )
    ]
    engagement = [
        {
            "observed_at": sample.observed_at,
            "likes": sample.likes,
            "replies": sample.replies,
            "shares": sample.shares,
        }
        for sample in session.scalars(
            select(EngagementRow)
            .where(EngagementRow.post_id == post_id)
            .order_by(EngagementRow.observed_at)
        )
    ]
    thread = [
        _view(item)
        for item in session.execute(
            _post_select()
            .where(PostRow.channel_id == post.channel_id, PostRow.thread_id == post.thread_id)
            .order_by(PostRow.created_at, PostRow.id)
            .limit(200)
        )
    ]
    return PostDetail(
        post=_view(row),
        original_text=post.original_text,
        edited_at=post.edited_at,
        extra=dict(post.extra or {}),
        signals=dict(triage.signals) if triage else {},
        revisions=revisions,
        engagement=engagement,
        thread=thread,
    )


def _after(rank_column: Any, id_column: Any, cursor: tuple[float, int] | None) -> Any:
    """Keyset condition for 'rank descending, id ascending' after the item `cursor`."""
    if cursor is None:
        return true()
    rank, item_id = cursor
    return or_(rank_column < rank, and_(rank_column == rank, id_column > item_id))


def _ranked(
    session: Session,
    item: Any,
    rank: Any,
    is_open: Any,
    community: str | None,
    limit: int,
    after: tuple[float, int] | None,
    communities: Collection[str] | None,
) -> list[QueueItem]:
    """Items of a queue table (`item`, ranked by its column `rank`) with their posts, highest
    rank first, oldest first among equals; keyset-paged after `after`."""
    query = (
        _post_select()
        .add_columns(item)
        .join(item, item.post_id == PostRow.id)
        .where(is_open)
        .where(_after(rank, item.id, after))
        .order_by(rank.desc(), item.id)
        .limit(limit)
    )
    if community:
        query = query.where(CommunityRow.slug == community)
    if communities is not None:
        query = query.where(CommunityRow.slug.in_(sorted(communities)))
    items = []
    for row in session.execute(query):
        found = row[-1]
        items.append(
            QueueItem(
                id=found.id,
                status=found.status,
                rank=getattr(found, rank.key),
                created_at=found.created_at,
                post=_view(row[:-1]),
            )
        )
    return items


def moderation_queue(
    session: Session,
    community: str | None = None,
    status: str = "open",
    limit: int = 50,
    after: tuple[float, int] | None = None,
    communities: Collection[str] | None = None,
) -> list[QueueItem]:
    """Open moderation items, most severe first, oldest first among equals."""
    return _ranked(
        session, ModerationItemRow, ModerationItemRow.severity,
        ModerationItemRow.status == status, community, limit, after, communities,
    )  # fmt: skip


def care_inbox(
    session: Session,
    community: str | None = None,
    limit: int = 50,
    after: tuple[float, int] | None = None,
    communities: Collection[str] | None = None,
) -> list[QueueItem]:
    """Open care cases, highest priority first."""
    return _ranked(
        session, CaseRow, CaseRow.priority, CaseRow.status != "resolved",
        community, limit, after, communities,
    )  # fmt: skip


def list_rejects(
    session: Session,
    channel: str | None = None,
    limit: int = 100,
    after_id: int | None = None,
    communities: Collection[str] | None = None,
) -> list[RejectView]:
    query = select(RejectRow).order_by(RejectRow.id).limit(limit)
    if channel:
        query = query.where(RejectRow.channel == channel)
    if communities is not None:
        visible = (
            select(ChannelRow.name)
            .join(CommunityRow, CommunityRow.id == ChannelRow.community_id)
            .where(CommunityRow.slug.in_(sorted(communities)))
        )
        query = query.where(RejectRow.channel.in_(visible))
    if after_id:
        query = query.where(RejectRow.id > after_id)
    return [
        RejectView(
            id=row.id,
            source=row.source,
            channel=row.channel,
            line_no=row.line_no,
            reason=row.reason,
            excerpt=row.excerpt,
            received_at=row.received_at,
        )
        for row in session.scalars(query)
    ]


def open_counts(session: Session, communities: Collection[str]) -> dict[str, dict[str, int]]:
    """Per community: open moderation items, open care cases, posts (for the console overview)."""
    counts: dict[str, dict[str, int]] = {
        slug: {"moderation": 0, "care": 0, "posts": 0} for slug in communities
    }
    wanted = sorted(communities)
    for key, model, condition in (
        ("moderation", ModerationItemRow, ModerationItemRow.status == "open"),
        ("care", CaseRow, CaseRow.status != "resolved"),
    ):
        query = (
            select(CommunityRow.slug, func.count())
            .select_from(model)
            .join(CommunityRow, CommunityRow.id == model.community_id)
            .where(condition, CommunityRow.slug.in_(wanted))
            .group_by(CommunityRow.slug)
        )
        for slug, count in session.execute(query):
            counts[slug][key] = count
    posts = (
        select(CommunityRow.slug, func.count())
        .select_from(PostRow)
        .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
        .join(CommunityRow, CommunityRow.id == ChannelRow.community_id)
        .where(CommunityRow.slug.in_(wanted))
        .group_by(CommunityRow.slug)
    )
    for slug, count in session.execute(posts):
        counts[slug]["posts"] = count
    return counts
