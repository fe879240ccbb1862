"""Fires in the store: negative mentions per key over time (the spike detector's input), open
alerts, and the crisis view — an alert with the posts behind it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.care.spikes import keys_for
from gardien.errors import NotFoundError
from gardien.store.queries import PostView
from gardien.store.tables import AuthorRow, ChannelRow, CommunityRow, PostRow
from gardien.store.tables_care import AlertRow, MentionRow, SlaBreachRow


def mention_times(
    session: Session, community: int, since: datetime, until: datetime
) -> dict[str, list[tuple[datetime, int]]]:
    """Negative posts in (since, until] per key (channel, product, topic), oldest first."""
    series: dict[str, list[tuple[datetime, int]]] = {}
    rows = session.execute(
        select(MentionRow.at, MentionRow.post_id, MentionRow.channel, MentionRow.product,
               MentionRow.topic)
        .where(MentionRow.community_id == community, MentionRow.at > since, MentionRow.at <= until)
        .order_by(MentionRow.at, MentionRow.post_id)
    )  # fmt: skip
    for at, post_id, channel, product, topic in rows:
        for key in keys_for(channel, product, topic):
            series.setdefault(key, []).append((at, post_id))
    return series


def breaches_of(session: Session, case_ids: list[int]) -> set[tuple[int, str, str, datetime]]:
    """SLA records already made for these cases: (case, kind, stage, due_at)."""
    if not case_ids:
        return set()
    return {
        (case_id, kind, stage, due_at)
        for case_id, kind, stage, due_at in session.execute(
            select(
                SlaBreachRow.case_id, SlaBreachRow.kind, SlaBreachRow.stage, SlaBreachRow.due_at
            ).where(SlaBreachRow.case_id.in_(case_ids))
        )
    }


def open_alerts(session: Session, community: int, kind: str) -> dict[str, AlertRow]:
    return {
        row.key: row
        for row in session.scalars(
            select(AlertRow).where(
                AlertRow.community_id == community,
                AlertRow.kind == kind,
                AlertRow.status == "open",
            )
        )
    }


@dataclass(slots=True)
class AlertView:
    id: int
    community: str
    kind: str
    key: str
    status: str
    raised_at: datetime
    started_at: datetime | None
    last_seen_at: datetime
    closed_at: datetime | None
    observed: int
    expected: float
    case_id: int | None
    detail: dict[str, Any]


@dataclass(slots=True)
class Crisis:
    """The crisis view: a fire and the posts behind it, grouped by channel."""

    alert: AlertView
    posts: list[PostView]
    by_channel: dict[str, int]


def _view(row: AlertRow, slug: str) -> AlertView:
    return AlertView(
        row.id, slug, row.kind, row.key, row.status, row.raised_at, row.started_at,
        row.last_seen_at, row.closed_at, row.observed, row.expected, row.case_id,
        dict(row.detail or {}),
    )  # fmt: skip


def list_alerts(
    session: Session,
    communities: Collection[str] | None,
    status: str | None = None,
    limit: int = 50,
    before_id: int | None = None,
) -> list[AlertView]:
    """Alerts, newest first, of the communities the caller may see (None: all)."""
    query = (
        select(AlertRow, CommunityRow.slug)
        .join(CommunityRow, CommunityRow.id == AlertRow.community_id)
        .order_by(AlertRow.id.desc())
        .limit(limit)
    )
    if communities is not None:
        query = query.where(CommunityRow.slug.in_(sorted(communities)))
    if status:
        query = query.where(AlertRow.status == status)
    if before_id:
        query = query.where(AlertRow.id < before_id)
    return [_view(row, slug) for row, slug in session.execute(query)]


def posts_by_id(session: Session, ids: list[int]) -> list[PostView]:
    """The posts `ids`, oldest first."""
    if not ids:
        return []
    rows = session.execute(
        select(PostRow, AuthorRow, ChannelRow.name, CommunityRow.slug)
        .join(AuthorRow, AuthorRow.id == PostRow.author_id)
        .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
        .join(CommunityRow, CommunityRow.id == ChannelRow.community_id)
        .where(PostRow.id.in_(ids))
        .order_by(PostRow.created_at, PostRow.id)
    )
    return [
        PostView(
            id=post.id, community=slug, channel=channel, external_id=post.external_id,
            author=author.external_id, author_handle=author.handle, followers=author.followers,
            text=post.text, created_at=post.created_at, thread_id=post.thread_id,
            parent_id=post.parent_id, likes=post.likes, replies=post.replies, shares=post.shares,
            visibility=post.visibility,
        )
        for post, author, channel, slug in rows
    ]  # fmt: skip


def crisis(session: Session, alert_id: int, communities: Collection[str] | None) -> Crisis:
    row = session.execute(
        select(AlertRow, CommunityRow.slug)
        .join(CommunityRow, CommunityRow.id == AlertRow.community_id)
        .where(AlertRow.id == alert_id)
    ).first()
    if row is None or (communities is not None and row[1] not in communities):
        raise NotFoundError(f"no alert {alert_id}")
    alert = _view(*row)
    posts = posts_by_id(session, [int(i) for i in alert.detail.get("posts", [])])
    by_channel: dict[str, int] = {}
    for post in posts:
        by_channel[post.channel] = by_channel.get(post.channel, 0) + 1
    return Crisis(alert, posts, by_channel)
