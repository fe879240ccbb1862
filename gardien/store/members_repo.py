"""Members as the actions need them: one person's group of linked members, their strikes and
sanctions, the post a decision is about, and the community's rule list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gardien.errors import NotFoundError
from gardien.members.ladder import SanctionFact
from gardien.store.tables import AuthorRow, ChannelRow, CommunityRow, PostRow, TriageRow
from gardien.store.tables_members import CodeOfConductRow, MemberRow, SanctionRow


@dataclass(slots=True)
class PostFacts:
    """A post with what a sanction needs: its author's member, channel and community."""

    post: PostRow
    author: AuthorRow
    channel: str
    community: CommunityRow
    member: MemberRow
    language: str | None
    reasons: list[dict[str, Any]]


def get_member(session: Session, member_id: int, lock: bool = False) -> MemberRow:
    query = select(MemberRow).where(MemberRow.id == member_id)
    if lock:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise NotFoundError(f"no member {member_id}")
    return row


def canonical(session: Session, member: MemberRow, lock: bool = False) -> MemberRow:
    """The member a linked identity was merged into (itself when not linked); `lock` serialises
    concurrent sanctions of one person on PostgreSQL."""
    if member.canonical_id is None:
        return get_member(session, member.id, lock) if lock else member
    return get_member(session, member.canonical_id, lock)


def group(session: Session, primary: MemberRow) -> list[MemberRow]:
    """Every member that is this person: the primary and the identities linked into it."""
    return list(
        session.scalars(
            select(MemberRow)
            .where(or_(MemberRow.id == primary.id, MemberRow.canonical_id == primary.id))
            .order_by(MemberRow.id)
        )
    )


def identities(
    session: Session, members: list[MemberRow]
) -> list[tuple[MemberRow, AuthorRow, str]]:
    """Each member with its author and the author's channel name."""
    ids = [member.id for member in members]
    rows = session.execute(
        select(MemberRow, AuthorRow, ChannelRow.name)
        .join(AuthorRow, AuthorRow.id == MemberRow.author_id)
        .join(ChannelRow, ChannelRow.id == AuthorRow.channel_id)
        .where(MemberRow.id.in_(ids))
        .order_by(MemberRow.id)
    )
    return [(member, author, channel) for member, author, channel in rows]


def sanctions(session: Session, member_ids: list[int]) -> list[SanctionRow]:
    return list(
        session.scalars(
            select(SanctionRow)
            .where(SanctionRow.member_id.in_(member_ids))
            .order_by(SanctionRow.created_at, SanctionRow.id)
        )
    )


def strike_dates(rows: list[SanctionRow]) -> list[datetime]:
    """When each strike that has not been lifted was given."""
    return [row.created_at for row in rows if row.strike and row.lifted_at is None]


def facts(rows: list[SanctionRow]) -> list[SanctionFact]:
    return [
        SanctionFact(row.kind, row.created_at, row.ends_at, row.lifted_at is not None)
        for row in rows
        if row.kind in ("warn", "mute", "suspend", "ban")
    ]


def post_facts(session: Session, post_id: int) -> PostFacts:
    """The post `post_id` with its author's membership (created if ingest has not made one)."""
    row = session.execute(
        select(PostRow, AuthorRow, ChannelRow, CommunityRow, TriageRow)
        .join(AuthorRow, AuthorRow.id == PostRow.author_id)
        .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
        .join(CommunityRow, CommunityRow.id == ChannelRow.community_id)
        .outerjoin(TriageRow, TriageRow.post_id == PostRow.id)
        .where(PostRow.id == post_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no post {post_id}")
    post, author, channel, community, triage = row
    member = ensure_member(session, community.id, author.id, post.created_at)
    return PostFacts(
        post=post,
        author=author,
        channel=channel.name,
        community=community,
        member=member,
        language=triage.language if triage else post.language_hint,
        reasons=list(triage.reasons) if triage else [],
    )


def ensure_member(
    session: Session, community_id: int, author_id: int, joined_at: datetime
) -> MemberRow:
    row = session.scalar(
        select(MemberRow).where(
            MemberRow.community_id == community_id, MemberRow.author_id == author_id
        )
    )
    if row is None:
        row = MemberRow(
            community_id=community_id,
            author_id=author_id,
            joined_at=joined_at,
            trust_level=0,
            strikes=0,
        )
        session.add(row)
        session.flush()
    return row


def current_code(
    session: Session, community_id: int, language: str | None = None
) -> CodeOfConductRow | None:
    """The latest code of conduct, in `language` when it exists in it (else any language)."""
    rows = list(
        session.scalars(
            select(CodeOfConductRow)
            .where(CodeOfConductRow.community_id == community_id)
            .order_by(CodeOfConductRow.version.desc(), CodeOfConductRow.id)
        )
    )
    if not rows:
        return None
    latest = [row for row in rows if row.version == rows[0].version]
    return next((row for row in latest if row.language == language), latest[0])


def community_rules(
    session: Session, community_id: int, policy_rules: list[str]
) -> list[dict[str, str]]:
    """The rules a moderator may cite: the code of conduct's, else the policy's rule names."""
    code = current_code(session, community_id)
    if code is not None and code.rules:
        return [
            {"id": str(rule["id"]), "title": str(rule.get("title", rule["id"]))}
            for rule in code.rules
        ]
    return [{"id": name, "title": name} for name in policy_rules] or [
        {"id": "code-of-conduct", "title": "Code of conduct"}
    ]
