"""Write incoming posts in batches: idempotent on (channel, external id), edits kept as revisions,
engagement appended to its history. A few set-based statements per batch keep it fast."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from gardien.channels.format import IncomingAuthor, IncomingPost
from gardien.store.bulk import insert_many
from gardien.store.tables import (
    AuthorRow,
    ChannelRow,
    EngagementRow,
    PostRevisionRow,
    PostRow,
    RejectRow,
)
from gardien.store.tables_members import MemberRow


@dataclass(slots=True)
class IngestCounts:
    """What a batch changed: new posts, edits, engagement points, and unchanged replays."""

    new: int = 0
    edited: int = 0
    engagement_points: int = 0
    unchanged: int = 0
    rejected: int = 0

    def __iadd__(self, other: IngestCounts) -> IngestCounts:
        self.new += other.new
        self.edited += other.edited
        self.engagement_points += other.engagement_points
        self.unchanged += other.unchanged
        self.rejected += other.rejected
        return self


def _rounds(posts: Sequence[IncomingPost]) -> list[list[IncomingPost]]:
    """Split a batch so each external id appears at most once per round, keeping arrival order."""
    rounds: list[list[IncomingPost]] = []
    seen: dict[str, int] = {}
    for post in posts:
        index = seen.get(post.id, -1) + 1
        seen[post.id] = index
        if index == len(rounds):
            rounds.append([])
        rounds[index].append(post)
    return rounds


def write_posts(
    session: Session, channel: ChannelRow, posts: Sequence[IncomingPost], received_at: datetime
) -> IngestCounts:
    """Store a batch of posts for `channel`; replaying the same batch changes nothing."""
    counts = IngestCounts()
    for batch in _rounds(posts):
        authors, new_authors = _ensure_authors(session, channel, [post.author for post in batch])
        counts += _write_round(session, channel, batch, authors, received_at)
        _ensure_members(session, channel, batch, authors, new_authors)
    return counts


def _ensure_authors(
    session: Session, channel: ChannelRow, incoming: Sequence[IncomingAuthor]
) -> tuple[dict[str, int], set[int]]:
    """Author row ids by external id, and the ids of the authors created just now."""
    latest = {author.id: author for author in incoming}
    existing = {
        external_id: (row_id, followers)
        for row_id, external_id, followers in session.execute(
            select(AuthorRow.id, AuthorRow.external_id, AuthorRow.followers).where(
                AuthorRow.channel_id == channel.id, AuthorRow.external_id.in_(latest)
            )
        )
    }
    missing = [author for key, author in latest.items() if key not in existing]
    if missing:
        insert_many(
            session,
            AuthorRow,
            [
                {
                    "channel_id": channel.id,
                    "external_id": author.id,
                    "handle": author.handle,
                    "display_name": author.name,
                    "followers": author.followers,
                    "created_at": author.created_at,
                    "extra": _author_extra(author),
                }
                for author in missing
            ],
        )
        for row_id, external_id in session.execute(
            select(AuthorRow.id, AuthorRow.external_id).where(
                AuthorRow.channel_id == channel.id,
                AuthorRow.external_id.in_([author.id for author in missing]),
            )
        ):
            existing[external_id] = (row_id, -1)
    changed = [
        {"row_id": existing[key][0], "followers": author.followers}
        for key, author in latest.items()
        if existing[key][1] not in (-1, author.followers)
    ]
    if changed:
        session.connection().execute(
            update(AuthorRow)
            .where(AuthorRow.id == bindparam("row_id"))
            .values(followers=bindparam("followers")),
            changed,
        )
    created = {row_id for row_id, followers in existing.values() if followers == -1}
    return {key: value[0] for key, value in existing.items()}, created


def _author_extra(author: IncomingAuthor) -> dict[str, object]:
    extra: dict[str, object] = dict(author.model_extra or {})
    if author.email:
        extra["email"] = author.email
    if author.verified:
        extra["verified"] = True
    return extra


def _write_round(
    session: Session,
    channel: ChannelRow,
    batch: Sequence[IncomingPost],
    authors: dict[str, int],
    received_at: datetime,
) -> IngestCounts:
    counts = IngestCounts()
    existing = {
        row.external_id: row
        for row in session.execute(
            select(
                PostRow.id,
                PostRow.external_id,
                PostRow.text,
                PostRow.original_text,
                PostRow.edited_at,
                PostRow.likes,
                PostRow.replies,
                PostRow.shares,
            ).where(
                PostRow.channel_id == channel.id, PostRow.external_id.in_([p.id for p in batch])
            )
        )
    }
    fresh = [post for post in batch if post.id not in existing]
    ids: dict[str, int] = {}
    if fresh:
        ids = _insert_posts(session, channel, fresh, authors, received_at)
        counts.new = len(ids)
    known = _known_texts(
        session, [row for post in batch if (row := existing.get(post.id)) and post.text != row.text]
    )
    history = _engagement_history(
        session, [row.id for row in existing.values() if any(p.has_engagement for p in batch)]
    )
    samples: list[dict[str, object]] = []
    revisions: list[dict[str, object]] = []
    edits: list[dict[str, object]] = []
    counters: list[dict[str, object]] = []
    for post in batch:
        observed = post.observed_at or received_at
        if post.id in ids:
            if post.has_engagement:
                samples.append(_sample(ids[post.id], observed, post, (0, 0, 0)))
            continue
        row = existing.get(post.id)
        if row is None:  # inserted concurrently by another writer: that writer recorded it
            counts.unchanged += 1
            continue
        changed = False
        if post.text != row.text and post.text not in known.get(row.id, ()):
            revisions.append(
                {
                    "post_id": row.id,
                    "text": post.text,
                    "edited_at": post.edited_at,
                    "recorded_at": received_at,
                }
            )
            known.setdefault(row.id, set()).add(post.text)
            if _is_newer(post.edited_at, row.edited_at):
                edits.append({"row_id": row.id, "text": post.text, "edited_at": post.edited_at})
            counts.edited += 1
            changed = True
        if post.has_engagement:
            seen, latest = history.get(row.id, (set(), None))
            current = (row.likes, row.replies, row.shares)
            wanted = _counts(post, current)
            if wanted not in seen and (post.observed_at is None or post.observed_at not in seen):
                samples.append(_sample(row.id, observed, post, current))
                seen.add(wanted)
                if latest is None or observed >= latest:
                    counters.append(
                        {
                            "row_id": row.id,
                            "likes": wanted[0],
                            "replies": wanted[1],
                            "shares": wanted[2],
                        }
                    )
                changed = True
        if not changed:
            counts.unchanged += 1
    connection = session.connection()
    insert_many(session, PostRevisionRow, revisions)
    if edits:
        connection.execute(
            update(PostRow)
            .where(PostRow.id == bindparam("row_id"))
            .values(text=bindparam("text"), edited_at=bindparam("edited_at"), triaged_at=None),
            edits,
        )
    if counters:
        connection.execute(
            update(PostRow)
            .where(PostRow.id == bindparam("row_id"))
            .values(
                likes=bindparam("likes"), replies=bindparam("replies"), shares=bindparam("shares")
            ),
            counters,
        )
    if samples:
        insert_many(session, EngagementRow, samples)
        counts.engagement_points = len(samples)
    return counts


def _known_texts(session: Session, rows: Sequence[Any]) -> dict[int, set[str]]:
    """Every text each post has had (original and revisions): a replayed old version of an
    edited post is history already recorded, not a new edit."""
    known: dict[int, set[str]] = {row.id: {row.original_text, row.text} for row in rows}
    if known:
        for post_id, text in session.execute(
            select(PostRevisionRow.post_id, PostRevisionRow.text).where(
                PostRevisionRow.post_id.in_(list(known))
            )
        ):
            known[post_id].add(text)
    return known


def _is_newer(incoming: datetime | None, current: datetime | None) -> bool:
    """Whether an edit should become the current text: edits arriving out of order do not."""
    return incoming is None or current is None or incoming >= current


def _engagement_history(
    session: Session, post_ids: Sequence[int]
) -> dict[int, tuple[set[object], datetime | None]]:
    """Per post: the count triples and times already observed, and the latest time.

    A replayed observation (same counts, or same explicit time) is recognised and not appended."""
    history: dict[int, tuple[set[object], datetime | None]] = {}
    if not post_ids:
        return history
    for post_id, observed_at, likes, replies, shares in session.execute(
        select(
            EngagementRow.post_id,
            EngagementRow.observed_at,
            EngagementRow.likes,
            EngagementRow.replies,
            EngagementRow.shares,
        ).where(EngagementRow.post_id.in_(post_ids))
    ):
        seen, latest = history.setdefault(post_id, (set(), None))
        seen.add((likes, replies, shares))
        seen.add(observed_at)
        if latest is None or observed_at > latest:
            history[post_id] = (seen, observed_at)
    return history


def _counts(post: IncomingPost, current: tuple[int, int, int]) -> tuple[int, int, int]:
    """Counts after this observation; a count the channel did not send keeps its last value."""
    return (
        current[0] if post.likes is None else post.likes,
        current[1] if post.replies is None else post.replies,
        current[2] if post.shares is None else post.shares,
    )


def _sample(
    post_id: int, observed: datetime, post: IncomingPost, current: tuple[int, int, int]
) -> dict[str, object]:
    likes, replies, shares = _counts(post, current)
    return {
        "post_id": post_id,
        "observed_at": observed,
        "likes": likes,
        "replies": replies,
        "shares": shares,
    }


def _insert_posts(
    session: Session,
    channel: ChannelRow,
    fresh: Sequence[IncomingPost],
    authors: dict[str, int],
    received_at: datetime,
) -> dict[str, int]:
    rows = [
        {
            "channel_id": channel.id,
            "external_id": post.id,
            "author_id": authors[post.author.id],
            "thread_id": post.thread_id or post.id,
            "parent_id": post.parent_id,
            "text": post.text,
            "original_text": post.text,
            "language_hint": post.language,
            "created_at": post.created_at,
            "edited_at": post.edited_at,
            "received_at": received_at,
            "likes": post.likes or 0,
            "replies": post.replies or 0,
            "shares": post.shares or 0,
            "visibility": post.visibility,
            "url": post.url,
            "extra": post.extra,
            "triaged_at": None,
        }
        for post in fresh
    ]
    insert_many(session, PostRow, rows)
    return dict(
        session.execute(
            select(PostRow.external_id, PostRow.id).where(
                PostRow.channel_id == channel.id,
                PostRow.external_id.in_([post.id for post in fresh]),
            )
        ).all()
    )


def _ensure_members(
    session: Session,
    channel: ChannelRow,
    batch: Sequence[IncomingPost],
    authors: dict[str, int],
    new_authors: set[int],
) -> None:
    """A new author of a channel becomes a member of its community, joined at their first post.
    (Authors belong to one channel, so only those created just now can lack a membership.)"""
    if not new_authors:
        return
    first_seen: dict[int, datetime] = {}
    for post in batch:
        author_id = authors[post.author.id]
        if author_id not in new_authors:
            continue
        if author_id not in first_seen or post.created_at < first_seen[author_id]:
            first_seen[author_id] = post.created_at
    insert_many(
        session,
        MemberRow,
        [
            {
                "community_id": channel.community_id,
                "author_id": author_id,
                "joined_at": joined,
                "trust_level": 0,
                "strikes": 0,
            }
            for author_id, joined in first_seen.items()
        ],
    )


def write_rejects(
    session: Session,
    channel: str,
    source: str,
    rejects: Sequence[tuple[int, str, str]],
    received_at: datetime,
) -> int:
    """Record rejected lines (line number, reason, excerpt); the same line of the same source
    is recorded once however often it is replayed."""
    if not rejects:
        return 0
    insert_many(
        session,
        RejectRow,
        [
            {
                "source": source[:500],
                "channel": channel,
                "line_no": line_no,
                "reason": reason,
                "excerpt": excerpt,
                "received_at": received_at,
            }
            for line_no, reason, excerpt in rejects
        ],
    )
    return len(rejects)
