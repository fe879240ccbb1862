"""What a worker does with a judge message: judge the posts it names, in thread order, once.

A message names post ids. In one transaction the worker locks the threads those posts belong to,
reads every post of those threads still awaiting judgement up to the newest one named (earlier
posts first: a reply is never judged before the post it answers, even when the two travelled in
different messages), runs the pipeline and saves the judgements. Posts already judged are skipped,
so a redelivered message changes nothing, and posts set aside as dead are never picked up."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, text, tuple_, update
from sqlalchemy.orm import Session

from gardien.domain.time import utcnow
from gardien.pipeline.record import HistoryBounds, StageContext, TriageRecord
from gardien.pipeline.runner import Runner
from gardien.store.db import Database
from gardien.store.earlier import attach_earlier
from gardien.store.tables import AuthorRow, ChannelRow, CommunityRow, PostRow
from gardien.store.tables_members import MemberRow
from gardien.store.tables_workers import DeadPostRow
from gardien.store.triage import record_from_rows, save_judgements

#: A thread, as the store knows it: (channel row id, thread id; a root post's own id when unset).
ThreadKey = tuple[int, str]

THREAD = func.coalesce(PostRow.thread_id, PostRow.external_id)


@dataclass(slots=True)
class JudgeReport:
    judged: int = 0
    already: int = 0
    earlier: int = 0


def lock_key(thread: ThreadKey) -> int:
    """A signed 64-bit key naming a thread, for PostgreSQL's advisory locks."""
    digest = hashlib.blake2b(f"{thread[0]}:{thread[1]}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_threads(session: Session, threads: Sequence[ThreadKey]) -> None:
    """Hold the threads until the transaction ends. PostgreSQL: advisory locks taken in key order
    (no deadlock between two workers); SQLite: the database's single write lock, taken now rather
    than at the first write, so that no other worker reads these posts as pending meanwhile."""
    if session.get_bind().dialect.name == "postgresql":
        keys = sorted({lock_key(thread) for thread in threads})
        session.execute(
            text(
                "SELECT pg_advisory_xact_lock(k) FROM "
                "(SELECT unnest(CAST(:keys AS BIGINT[])) AS k ORDER BY 1) AS ordered"
            ),
            {"keys": keys},
        )
    else:
        session.execute(update(PostRow).where(PostRow.id < 0).values(triaged_at=None))


def threads_of(session: Session, post_ids: Sequence[int]) -> dict[ThreadKey, int]:
    """Each thread the posts belong to, with the newest of those posts' id in it."""
    newest: dict[ThreadKey, int] = {}
    rows = session.execute(
        select(PostRow.channel_id, THREAD, func.max(PostRow.id))
        .where(PostRow.id.in_(bindparam("ids", expanding=True)))
        .group_by(PostRow.channel_id, THREAD),
        {"ids": list(post_ids)},
    )
    for channel_id, thread, post_id in rows:
        newest[(channel_id, thread)] = post_id
    return newest


def pending_in_threads(
    session: Session, newest: dict[ThreadKey, int], history: HistoryBounds = HistoryBounds()
) -> list[TriageRecord]:
    """Posts awaiting judgement in these threads up to each thread's newest named post, oldest
    first, leaving out the dead ones; with the earlier posts they are compared with, as triage
    loads them (`store/earlier.py`)."""
    if not newest:
        return []
    rows = session.execute(
        select(PostRow, AuthorRow, ChannelRow.name, CommunityRow.slug, MemberRow)
        .join(AuthorRow, AuthorRow.id == PostRow.author_id)
        .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
        .join(CommunityRow, CommunityRow.id == ChannelRow.community_id)
        .outerjoin(
            MemberRow,
            (MemberRow.author_id == AuthorRow.id) & (MemberRow.community_id == CommunityRow.id),
        )
        .outerjoin(DeadPostRow, DeadPostRow.post_id == PostRow.id)
        .where(
            tuple_(PostRow.channel_id, THREAD).in_(list(newest)),
            PostRow.triaged_at.is_(None),
            PostRow.id <= max(newest.values()),
            DeadPostRow.post_id.is_(None),
        )
        .order_by(PostRow.id)
    )
    records, authors = [], []
    for post, author, channel, community, member in rows:
        thread = (post.channel_id, post.external_id if post.thread_id is None else post.thread_id)
        if post.id <= newest.get(thread, 0):
            records.append(record_from_rows(post, author, channel, community, member))
            authors.append(author.id)
    attach_earlier(session, records, authors, history)
    return records


def judge_posts(
    database: Database,
    runner: Runner,
    context: StageContext,
    post_ids: Sequence[int],
    clock: Callable[[], datetime] = utcnow,
) -> JudgeReport:
    """Judge and save the named posts (and the earlier pending posts of their threads) in one
    transaction; the broker's message is acknowledged only after this returns."""
    report = JudgeReport()
    named = set(post_ids)
    with database.session() as session:
        newest = threads_of(session, post_ids)
        if not newest:
            return report
        lock_threads(session, list(newest))
        records = pending_in_threads(session, newest, context.history)
        if records:
            judged = runner.judge(records, context)
            save_judgements(session, judged, clock())  # decision time: after the stages
    report.judged = len(records)
    report.earlier = sum(1 for record in records if record.post_id not in named)
    report.already = len(named) - (report.judged - report.earlier)
    return report
