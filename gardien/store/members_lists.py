"""Lists for the API and the console: members, applications, appeals (with the evidence the
moderator deciding needs) and notices (the statements of reasons, for export)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.errors import NotFoundError
from gardien.store.members_views import appeal_view, notice_view, sanction_view
from gardien.store.tables import AuthorRow, ChannelRow, CommunityRow
from gardien.store.tables_members import (
    AppealRow,
    ApplicationRow,
    EvasionFlagRow,
    MemberRow,
    NoticeRow,
    SanctionRow,
)


def members(
    session: Session, community_id: int, after_id: int = 0, limit: int = 50
) -> list[dict[str, Any]]:
    """Members of one community (linked identities under their primary), oldest first."""
    rows = session.execute(
        select(MemberRow, AuthorRow, ChannelRow.name)
        .join(AuthorRow, AuthorRow.id == MemberRow.author_id)
        .join(ChannelRow, ChannelRow.id == AuthorRow.channel_id)
        .where(MemberRow.community_id == community_id, MemberRow.id > after_id)
        .order_by(MemberRow.id)
        .limit(limit)
    )
    return [
        {
            "id": member.id,
            "channel": channel,
            "external_id": author.external_id,
            "handle": author.handle,
            "joined_at": member.joined_at,
            "trust_level": member.trust_level,
            "strikes": member.strikes,
            "linked_to": member.canonical_id,
        }
        for member, author, channel in rows
    ]


def application_view(row: ApplicationRow, flags: list[EvasionFlagRow]) -> dict[str, Any]:
    return {
        "id": row.id,
        "handle": row.handle,
        "email": row.email,
        "language": row.language,
        "channel": row.channel,
        "external_id": row.external_id,
        "answers": row.answers,
        "coc_version": row.coc_version,
        "score": row.score,
        "reasons": row.reasons,
        "status": row.status,
        "member_id": row.member_id,
        "decided_by": row.decided_by,
        "decided_at": row.decided_at,
        "message": row.message,
        "created_at": row.created_at,
        "evasion_flags": [
            {"banned_member_id": f.banned_member_id, "score": f.score, "evidence": f.evidence}
            for f in flags
        ],
    }


def applications(
    session: Session, community_id: int, status: str | None, after_id: int = 0, limit: int = 50
) -> list[dict[str, Any]]:
    """Applications, oldest first (the queue must not stall newcomers)."""
    query = (
        select(ApplicationRow)
        .where(ApplicationRow.community_id == community_id, ApplicationRow.id > after_id)
        .order_by(ApplicationRow.id)
        .limit(limit)
    )
    if status:
        query = query.where(ApplicationRow.status == status)
    rows = list(session.scalars(query))
    flags: dict[int, list[EvasionFlagRow]] = {}
    for flag in session.scalars(
        select(EvasionFlagRow).where(EvasionFlagRow.application_id.in_([r.id for r in rows]))
    ):
        flags.setdefault(flag.application_id or 0, []).append(flag)
    return [application_view(row, flags.get(row.id, [])) for row in rows]


def appeals(
    session: Session, community_id: int, status: str | None, after_id: int = 0, limit: int = 50
) -> list[dict[str, Any]]:
    """Appeals with their sanction and its evidence (kept even if the post left its channel)."""
    query = (
        select(AppealRow, SanctionRow)
        .join(SanctionRow, SanctionRow.id == AppealRow.sanction_id)
        .where(AppealRow.community_id == community_id, AppealRow.id > after_id)
        .order_by(AppealRow.id)
        .limit(limit)
    )
    if status:
        query = query.where(AppealRow.status == status)
    return [
        {
            **appeal_view(appeal),
            "member_id": sanction.member_id,
            "sanction": sanction_view(sanction),
        }
        for appeal, sanction in session.execute(query)
    ]


def notices(
    session: Session,
    community_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
    after_id: int = 0,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """Statements of reasons sent in a period, for export (JSON or CSV)."""
    query = (
        select(NoticeRow, CommunityRow.slug)
        .join(CommunityRow, CommunityRow.id == NoticeRow.community_id)
        .where(NoticeRow.community_id == community_id, NoticeRow.id > after_id)
        .order_by(NoticeRow.id)
        .limit(limit)
    )
    if since:
        query = query.where(NoticeRow.created_at >= since)
    if until:
        query = query.where(NoticeRow.created_at < until)
    return [{**notice_view(row), "community": slug} for row, slug in session.execute(query)]


def application_community(session: Session, application_id: int) -> str:
    slug = session.scalar(
        select(CommunityRow.slug)
        .join(ApplicationRow, ApplicationRow.community_id == CommunityRow.id)
        .where(ApplicationRow.id == application_id)
    )
    if slug is None:
        raise NotFoundError(f"no application {application_id}")
    return slug


def application(session: Session, application_id: int) -> dict[str, Any]:
    """One application with its evasion flags (the console's page of it)."""
    row = session.get(ApplicationRow, application_id)
    if row is None:
        raise NotFoundError(f"no application {application_id}")
    flags = session.scalars(
        select(EvasionFlagRow).where(EvasionFlagRow.application_id == application_id)
    )
    return application_view(row, list(flags))


def appeal(session: Session, appeal_id: int) -> dict[str, Any]:
    """One appeal with its sanction and evidence, and its community's slug."""
    found = session.execute(
        select(AppealRow, SanctionRow, CommunityRow.slug)
        .join(SanctionRow, SanctionRow.id == AppealRow.sanction_id)
        .join(CommunityRow, CommunityRow.id == AppealRow.community_id)
        .where(AppealRow.id == appeal_id)
    ).first()
    if found is None:
        raise NotFoundError(f"no appeal {appeal_id}")
    row, sanction, slug = found
    return {
        **appeal_view(row),
        "community": slug,
        "member_id": sanction.member_id,
        "sanction": sanction_view(sanction),
    }
