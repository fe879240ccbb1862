"""Read model of readers' reports: who reported a post, why and when, per moderation item."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.errors import NotFoundError
from gardien.store.tables import ChannelRow, CommunityRow, PostRow
from gardien.store.tables_members import ReportRow


def report_view(row: ReportRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "item_id": row.item_id,
        "post_id": row.post_id,
        "reporter": row.reporter,
        "reason": row.reason,
        "note": row.note,
        "created_at": row.created_at,
        "status": row.status,
        "dismissed_by": row.dismissed_by,
        "dismissed_at": row.dismissed_at,
        "dismiss_note": row.dismiss_note,
    }


def reports_by_item(session: Session, item_ids: Collection[int]) -> dict[int, list[dict[str, Any]]]:
    """Each item's reports, oldest first (dismissed ones included, with who dismissed them)."""
    found: dict[int, list[dict[str, Any]]] = {item_id: [] for item_id in item_ids}
    if not found:
        return found
    rows = session.scalars(
        select(ReportRow)
        .where(ReportRow.item_id.in_(list(found)))
        .order_by(ReportRow.created_at, ReportRow.id)
    )
    for row in rows:
        found[row.item_id].append(report_view(row))
    return found


def report_community(session: Session, report_id: int) -> str:
    slug = session.scalar(
        select(CommunityRow.slug)
        .join(ReportRow, ReportRow.community_id == CommunityRow.id)
        .where(ReportRow.id == report_id)
    )
    if slug is None:
        raise NotFoundError(f"no report {report_id}")
    return slug


def post_community(session: Session, post_id: int) -> str:
    slug = session.scalar(
        select(CommunityRow.slug)
        .join(ChannelRow, ChannelRow.community_id == CommunityRow.id)
        .join(PostRow, PostRow.channel_id == ChannelRow.id)
        .where(PostRow.id == post_id)
    )
    if slug is None:
        raise NotFoundError(f"no post {post_id}")
    return slug


def post_on_channel(session: Session, channel: str, external_id: str) -> int:
    """The id of the post `external_id` of `channel` (as a channel bridge names it)."""
    post_id = session.scalar(
        select(PostRow.id)
        .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
        .where(ChannelRow.name == channel, PostRow.external_id == external_id)
    )
    if post_id is None:
        raise NotFoundError(f"no post {external_id!r} on channel {channel!r}")
    return post_id


def open_reports(session: Session, community_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """A community's open reports, oldest first, with the text of the post reported."""
    rows = session.execute(
        select(ReportRow, PostRow.text)
        .join(PostRow, PostRow.id == ReportRow.post_id)
        .where(ReportRow.community_id == community_id, ReportRow.status == "open")
        .order_by(ReportRow.created_at, ReportRow.id)
        .limit(limit)
    )
    return [{**report_view(row), "text": text} for row, text in rows]
