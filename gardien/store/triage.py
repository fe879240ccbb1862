"""Read posts awaiting judgement as pipeline records; write judgements and fill the queues."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from gardien.actions import care, member_automation
from gardien.domain import Author, Engagement, Member, Post, Visibility
from gardien.domain.codec import reason_to_dict, signals_to_dict
from gardien.domain.decision import Queue
from gardien.pipeline.record import HistoryBounds, TriageRecord
from gardien.store.bulk import insert_many
from gardien.store.earlier import attach_earlier, save_shapes
from gardien.store.insights_facts import record_facts
from gardien.store.tables import (
    AuthorRow,
    ChannelRow,
    CommunityRow,
    PostRow,
    TriageRow,
)
from gardien.store.tables_members import MemberRow, ModerationItemRow
from gardien.store.tables_policy import ShadowDecisionRow
from gardien.store.upsert import insert_ignoring_duplicates


def pending_records(
    session: Session, limit: int, after_id: int = 0, history: HistoryBounds = HistoryBounds()
) -> list[TriageRecord]:
    """Up to `limit` untriaged posts with id > `after_id`, oldest id first, as pipeline records
    with the earlier posts they are compared with (`store/earlier.py`, within `history`)."""
    rows = session.execute(
        select(PostRow, AuthorRow, ChannelRow.name, CommunityRow.slug, MemberRow)
        .join(AuthorRow, AuthorRow.id == PostRow.author_id)
        .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
        .join(CommunityRow, CommunityRow.id == ChannelRow.community_id)
        .outerjoin(
            MemberRow,
            (MemberRow.author_id == AuthorRow.id) & (MemberRow.community_id == CommunityRow.id),
        )
        .where(PostRow.triaged_at.is_(None), PostRow.id > after_id)
        .order_by(PostRow.id)
        .limit(limit)
    ).all()
    records = [record_from_rows(*row) for row in rows]
    attach_earlier(session, records, [author.id for _, author, *_ in rows], history)
    return records


def record_from_rows(
    post: PostRow, author_row: AuthorRow, channel: str, community: str, member: MemberRow | None
) -> TriageRecord:
    """A pipeline record from stored rows (triage, the workers and the policy replay share it)."""
    author = Author(
        channel=channel,
        external_id=author_row.external_id,
        handle=author_row.handle,
        display_name=author_row.display_name,
        followers=author_row.followers,
        created_at=author_row.created_at,
    )
    return TriageRecord(
        community=community,
        post_id=post.id,
        post=Post(
            channel=channel,
            external_id=post.external_id,
            author=author_row.external_id,
            text=post.text,
            created_at=post.created_at,
            thread_id=post.thread_id,
            parent_id=post.parent_id,
            language=post.language_hint,
            edited_at=post.edited_at,
            engagement=Engagement(post.likes, post.replies, post.shares),
            visibility=Visibility(post.visibility),
            extra=dict(post.extra or {}),
        ),
        author=author,
        member=None
        if member is None
        else Member(
            community=community,
            author=author,
            joined_at=member.joined_at,
            trust_level=member.trust_level,
            strikes=member.strikes,
        ),
    )


def severity(record: TriageRecord) -> float:
    """How urgent a moderation item is: the decision's strength, then the highest score."""
    assert record.decision is not None
    top = max((score.value for score in record.signals.scores.values()), default=0.0)
    return round(record.decision.action.strength + top, 4)


def save_judgements(session: Session, records: Sequence[TriageRecord], now: datetime) -> None:
    """Store each record's signals and decision, and open a moderation item or a care case."""
    ids = [record.post_id for record in records if record.post_id is not None]
    if not ids:
        return
    communities = {
        slug: row_id for slug, row_id in session.execute(select(CommunityRow.slug, CommunityRow.id))
    }
    session.execute(delete(TriageRow).where(TriageRow.post_id.in_(ids)))
    triage, items = [], []
    for record in records:
        decision = record.decision
        if decision is None or record.post_id is None:
            continue
        language = record.signals.language
        triage.append(
            {
                "post_id": record.post_id,
                "language": language.code if language else "other",
                "language_confidence": language.confidence if language else 0.0,
                "signals": signals_to_dict(record.signals),
                "action": decision.action.value,
                "queue": decision.queue.value,
                "department": decision.department,
                "reasons": [reason_to_dict(reason) for reason in decision.reasons],
                "policy_version": decision.policy_version,
                "triaged_at": now,
            }
        )
        community_id = communities[record.community]
        if decision.queue is Queue.MODERATION:
            items.append(
                {
                    "post_id": record.post_id,
                    "community_id": community_id,
                    "action": decision.action.value,
                    "severity": severity(record),
                    "status": "open",
                    "created_at": now,
                }
            )
    if triage:
        session.execute(insert(TriageRow), triage)
    save_shapes(session, records)  # what later posts are compared with
    _save_shadow(session, records, now)
    if items:
        session.execute(insert_ignoring_duplicates(session, ModerationItemRow), items)
    care.take_in(session, records, now)  # care cases: opened or joined, risk-scored
    session.execute(update(PostRow).where(PostRow.id.in_(ids)).values(triaged_at=now))
    record_facts(session, ids)
    member_automation.on_judged(session, records, now)  # rule strikes, ban-evasion scan


def _save_shadow(session: Session, records: Sequence[TriageRecord], now: datetime) -> None:
    """Record what a shadow policy would have decided, beside the live decision (never applied)."""
    rows = [
        {
            "post_id": record.post_id,
            "version": record.shadow.policy_version,
            "action": record.shadow.action.value,
            "queue": record.shadow.queue.value,
            "reasons": [reason_to_dict(reason) for reason in record.shadow.reasons],
            "live_version": record.decision.policy_version,
            "live_action": record.decision.action.value,
            "decided_at": now,
        }
        for record in records
        if record.shadow is not None and record.decision is not None and record.post_id
    ]
    insert_many(session, ShadowDecisionRow, rows)
