"""Read models of the review queue and of members: items with their claim, one item with the
post in its thread, the decision's reasons and the author's history, and one member's file."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from gardien.errors import NotFoundError
from gardien.members.ladder import standing
from gardien.members.trust import NAMES
from gardien.store import members_repo as repo
from gardien.store import queries
from gardien.store.members_reports import reports_by_item
from gardien.store.tables import AuthorRow, ChannelRow, CommunityRow, PostRow, TriageRow
from gardien.store.tables_members import (
    AcceptanceRow,
    AppealRow,
    EvasionFlagRow,
    IdentityLinkRow,
    MemberRow,
    ModerationItemRow,
    NoticeRow,
    SanctionRow,
)

RECENT_POSTS = 10


def _item(item: ModerationItemRow, community: str, post: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item.id,
        "community": community,
        "status": item.status,
        "severity": item.severity,
        "action": item.action,
        "created_at": item.created_at,
        "claimed_by": item.claimed_by,
        "claim_expires_at": item.claim_expires_at,
        "resolved_by": item.resolved_by,
        "resolved_at": item.resolved_at,
        "rule": item.rule,
        "post": post,
    }


def queue(
    session: Session,
    communities: Collection[str],
    status: str = "open",
    after: tuple[float, int] | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Items of `communities`, most severe first, oldest first among equals (keyset paged)."""
    query = (
        select(ModerationItemRow, CommunityRow.slug, PostRow, AuthorRow, ChannelRow.name, TriageRow)
        .join(CommunityRow, CommunityRow.id == ModerationItemRow.community_id)
        .join(PostRow, PostRow.id == ModerationItemRow.post_id)
        .join(AuthorRow, AuthorRow.id == PostRow.author_id)
        .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
        .outerjoin(TriageRow, TriageRow.post_id == PostRow.id)
        .where(ModerationItemRow.status == status, CommunityRow.slug.in_(sorted(communities)))
        .order_by(ModerationItemRow.severity.desc(), ModerationItemRow.id)
        .limit(limit)
    )
    if after is not None:
        severity, item_id = after
        query = query.where(
            or_(
                ModerationItemRow.severity < severity,
                and_(ModerationItemRow.severity == severity, ModerationItemRow.id > item_id),
            )
        )
    items = [
        _item(item, slug, _post(post, author, channel, triage))
        for item, slug, post, author, channel, triage in session.execute(query)
    ]
    reports = reports_by_item(session, [item["id"] for item in items])
    for item in items:
        item["reports"] = [r for r in reports[item["id"]] if r["status"] == "open"]
    return items


def _post(
    post: PostRow, author: AuthorRow, channel: str, triage: TriageRow | None
) -> dict[str, Any]:
    return {
        "id": post.id,
        "channel": channel,
        "external_id": post.external_id,
        "author": author.external_id,
        "author_handle": author.handle,
        "text": post.text,
        "created_at": post.created_at,
        "url": post.url,
        "action": triage.action if triage else None,
        "reasons": list(triage.reasons) if triage else [],
    }


def item_community(session: Session, item_id: int) -> str:
    slug = session.scalar(
        select(CommunityRow.slug)
        .join(ModerationItemRow, ModerationItemRow.community_id == CommunityRow.id)
        .where(ModerationItemRow.id == item_id)
    )
    if slug is None:
        raise NotFoundError(f"no moderation item {item_id}")
    return slug


def post_item(session: Session, post_id: int) -> dict[str, Any] | None:
    """The post's moderation item (its status, rule, who holds or handled it, the author's
    member id), or None."""
    row = session.execute(
        select(ModerationItemRow, CommunityRow.slug, MemberRow.id)
        .join(CommunityRow, CommunityRow.id == ModerationItemRow.community_id)
        .join(PostRow, PostRow.id == ModerationItemRow.post_id)
        .outerjoin(
            MemberRow,
            and_(
                MemberRow.author_id == PostRow.author_id,
                MemberRow.community_id == ModerationItemRow.community_id,
            ),
        )
        .where(ModerationItemRow.post_id == post_id)
    ).first()
    return None if row is None else _item(row[0], row[1], {"id": post_id}) | {"member_id": row[2]}


def item_post(session: Session, item_id: int) -> int:
    post_id = session.scalar(
        select(ModerationItemRow.post_id).where(ModerationItemRow.id == item_id)
    )
    if post_id is None:
        raise NotFoundError(f"no moderation item {item_id}")
    return post_id


def item_communities(session: Session, item_ids: Collection[int]) -> dict[int, str]:
    """The community of each of these items (missing ones are left out)."""
    rows = session.execute(
        select(ModerationItemRow.id, CommunityRow.slug)
        .join(CommunityRow, CommunityRow.id == ModerationItemRow.community_id)
        .where(ModerationItemRow.id.in_(sorted(item_ids)))
    )
    return {item_id: slug for item_id, slug in rows}


def item_detail(
    session: Session, item_id: int, now: datetime, rules: list[dict[str, str]]
) -> dict[str, Any]:
    """One item: the post in its thread with the decision's reasons and signals, the author's
    history (strikes, sanctions, recent posts, trust level) and the rules one may cite."""
    item = session.get(ModerationItemRow, item_id)
    if item is None:
        raise NotFoundError(f"no moderation item {item_id}")
    detail = queries.post_detail(session, item.post_id)
    found = repo.post_facts(session, item.post_id)
    slug = session.get_one(CommunityRow, item.community_id).slug
    post = {
        **_post(found.post, found.author, found.channel, None),
        "action": detail.post.action,
        "reasons": detail.post.reasons,
        "policy_version": detail.post.policy_version,
        "signals": detail.signals,
    }
    data = _item(item, slug, post)
    data["thread"] = [
        {"id": v.id, "author_handle": v.author_handle, "text": v.text, "created_at": v.created_at}
        for v in detail.thread
    ]
    data["author"] = author_history(session, found.member, now)
    data["reports"] = reports_by_item(session, [item.id])[item.id]
    data["rules"] = rules
    return data


def author_history(session: Session, member: MemberRow, now: datetime) -> dict[str, Any]:
    """What a moderator needs to know about the author before acting."""
    primary = repo.canonical(session, member)
    people = repo.group(session, primary)
    rows = repo.sanctions(session, [m.id for m in people])
    state = standing(repo.facts(rows), now)
    recent = session.execute(
        select(PostRow, TriageRow.action)
        .outerjoin(TriageRow, TriageRow.post_id == PostRow.id)
        .where(PostRow.author_id.in_([m.author_id for m in people]))
        .order_by(PostRow.created_at.desc(), PostRow.id.desc())
        .limit(RECENT_POSTS)
    )
    return {
        "member_id": primary.id,
        "joined_at": primary.joined_at,
        "trust_level": primary.trust_level,
        "trust_name": NAMES[primary.trust_level],
        "active_strikes": primary.strikes,
        "standing": state.state,
        "standing_until": state.until,
        "sanctions": [sanction_view(row) for row in rows],
        "evasion_flags": evasion_flags(session, [m.id for m in people]),
        "recent_posts": [
            {"id": post.id, "text": post.text, "created_at": post.created_at, "action": action}
            for post, action in recent
        ],
    }


def sanction_view(row: SanctionRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "strike": row.strike,
        "strike_number": row.strike_number,
        "rule": row.rule,
        "note": row.note,
        "post_id": row.post_id,
        "evidence": row.evidence,
        "created_by": row.created_by,
        "created_at": row.created_at,
        "ends_at": row.ends_at,
        "appeal_until": row.appeal_until,
        "lifted_at": row.lifted_at,
        "policy_version": row.policy_version,
    }


def member_community(session: Session, member_id: int) -> str:
    slug = session.scalar(
        select(CommunityRow.slug)
        .join(MemberRow, MemberRow.community_id == CommunityRow.id)
        .where(MemberRow.id == member_id)
    )
    if slug is None:
        raise NotFoundError(f"no member {member_id}")
    return slug


def member_file(session: Session, member_id: int, now: datetime) -> dict[str, Any]:
    """A member's file: identities, standing, sanctions, notices, appeals, links, acceptances."""
    member = repo.get_member(session, member_id)
    primary = repo.canonical(session, member)
    people = repo.group(session, primary)
    ids = [m.id for m in people]
    sanction_ids = [row.id for row in repo.sanctions(session, ids)]
    data = author_history(session, primary, now)
    data["id"] = member.id
    data["language"] = primary.language
    data["erased_at"] = primary.erased_at
    data["identities"] = [
        {"member_id": m.id, "channel": channel, "external_id": a.external_id, "handle": a.handle}
        for m, a, channel in repo.identities(session, people)
    ]
    data["notices"] = [
        notice_view(row)
        for row in session.scalars(
            select(NoticeRow).where(NoticeRow.member_id.in_(ids)).order_by(NoticeRow.id)
        )
    ]
    data["appeals"] = [
        appeal_view(row)
        for row in session.scalars(
            select(AppealRow).where(AppealRow.sanction_id.in_(sanction_ids)).order_by(AppealRow.id)
        )
    ]
    data["links"] = [
        {
            "id": link.id,
            "primary_id": link.primary_id,
            "linked_id": link.linked_id,
            "reason": link.reason,
            "linked_by": link.linked_by,
            "linked_at": link.linked_at,
            "undone_at": link.undone_at,
        }
        for link in session.scalars(
            select(IdentityLinkRow)
            .where(or_(IdentityLinkRow.primary_id.in_(ids), IdentityLinkRow.linked_id.in_(ids)))
            .order_by(IdentityLinkRow.id)
        )
    ]
    data["acceptances"] = [
        {"version": row.version, "language": row.language, "accepted_at": row.accepted_at}
        for row in session.scalars(
            select(AcceptanceRow).where(AcceptanceRow.member_id.in_(ids)).order_by(AcceptanceRow.id)
        )
    ]
    code = repo.current_code(session, primary.community_id)
    accepted = {item["version"] for item in data["acceptances"]}
    data["must_accept_version"] = (
        code.version
        if code is not None and code.requires_reacceptance and code.version not in accepted
        else None
    )
    data["evasion_flags"] = evasion_flags(session, ids)
    return data


def evasion_flags(session: Session, member_ids: list[int]) -> list[dict[str, Any]]:
    """The ban-evasion flags raised on these identities, oldest first, with their decision."""
    return [
        {
            "id": f.id,
            "member_id": f.member_id,
            "banned_member_id": f.banned_member_id,
            "score": f.score,
            "evidence": f.evidence,
            "created_at": f.created_at,
            "status": f.status,
            "decided_by": f.decided_by,
            "decided_at": f.decided_at,
            "note": f.note,
        }
        for f in session.scalars(
            select(EvasionFlagRow)
            .where(EvasionFlagRow.member_id.in_(member_ids))
            .order_by(EvasionFlagRow.id)
        )
    ]


def flag_member(session: Session, flag_id: int) -> int:
    """The member a ban-evasion flag is about ("not found" for a flag on an application)."""
    member_id = session.scalar(select(EvasionFlagRow.member_id).where(EvasionFlagRow.id == flag_id))
    if member_id is None:
        raise NotFoundError(f"no evasion flag {flag_id} on a member")
    return member_id


def notice_view(row: NoticeRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "member_id": row.member_id,
        "sanction_id": row.sanction_id,
        "kind": row.kind,
        "language": row.language,
        "subject": row.subject,
        "body": row.body,
        "rule": row.rule,
        "content": row.content,
        "created_at": row.created_at,
    }


def appeal_view(row: AppealRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "sanction_id": row.sanction_id,
        "text": row.text,
        "filed_by": row.filed_by,
        "filed_at": row.filed_at,
        "status": row.status,
        "decided_by": row.decided_by,
        "decided_at": row.decided_at,
        "note": row.note,
    }


def sanction_community(session: Session, sanction_id: int) -> str:
    slug = session.scalar(
        select(CommunityRow.slug)
        .join(SanctionRow, SanctionRow.community_id == CommunityRow.id)
        .where(SanctionRow.id == sanction_id)
    )
    if slug is None:
        raise NotFoundError(f"no sanction {sanction_id}")
    return slug


def link_member(session: Session, link_id: int) -> int:
    """The primary member of an identity link (to check access before undoing it)."""
    member_id = session.scalar(
        select(IdentityLinkRow.primary_id).where(IdentityLinkRow.id == link_id)
    )
    if member_id is None:
        raise NotFoundError(f"no identity link {link_id}")
    return member_id


def appeal_community(session: Session, appeal_id: int) -> str:
    slug = session.scalar(
        select(CommunityRow.slug)
        .join(AppealRow, AppealRow.community_id == CommunityRow.id)
        .where(AppealRow.id == appeal_id)
    )
    if slug is None:
        raise NotFoundError(f"no appeal {appeal_id}")
    return slug


def queue_item(session: Session, item_id: int) -> ModerationItemRow:
    item = session.get(ModerationItemRow, item_id, populate_existing=True)
    if item is None:
        raise NotFoundError(f"no moderation item {item_id}")
    return item
