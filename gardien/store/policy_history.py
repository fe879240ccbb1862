"""Read-only: a community's stored posts with their signals, as history for policy replays."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.domain import Signals
from gardien.domain.codec import signals_from_dict
from gardien.policy.replay import HistoryItem, Verdict
from gardien.store.communities import find_community
from gardien.store.tables import AuthorRow, ChannelRow, PostRow, TriageRow
from gardien.store.tables_members import MemberRow, ModerationItemRow
from gardien.store.triage import record_from_rows

#: Moderation item statuses read as a moderator's verdict on the automatic decision.
UPHELD = frozenset({"removed", "hidden", "censored", "upheld", "rejected", "banned"})
OVERTURNED = frozenset({"approved", "released", "restored", "dismissed"})


def policy_history(
    session: Session, community: str, limit: int | None = None, batch: int = 2_000
) -> Iterator[HistoryItem]:
    """The community's posts, oldest first, streamed in batches (NotFoundError if unknown)."""
    community_row = find_community(session, community)
    query = (
        select(
            PostRow,
            AuthorRow,
            ChannelRow.name,
            MemberRow,
            TriageRow.signals,
            ModerationItemRow.status,
        )
        .join(AuthorRow, AuthorRow.id == PostRow.author_id)
        .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
        .outerjoin(
            MemberRow,
            (MemberRow.author_id == AuthorRow.id) & (MemberRow.community_id == community_row.id),
        )
        .outerjoin(TriageRow, TriageRow.post_id == PostRow.id)
        .outerjoin(ModerationItemRow, ModerationItemRow.post_id == PostRow.id)
        .where(ChannelRow.community_id == community_row.id)
        .order_by(PostRow.id)
        .execution_options(yield_per=batch)
    )
    if limit is not None:
        query = query.limit(limit)
    for post, author_row, channel, member_row, signals, status in session.execute(query):
        record = record_from_rows(post, author_row, channel, community, member_row)
        yield HistoryItem(
            post=record.post,
            author=record.author,
            member=record.member,
            signals=signals_from_dict(signals) if signals else Signals(),
            post_id=post.id,
            verdict=_verdict(status),
        )


def _verdict(status: str | None) -> Verdict | None:
    if status in UPHELD:
        return "upheld"
    if status in OVERTURNED:
        return "overturned"
    return None
