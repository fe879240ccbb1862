"""One person across channels, and erasure: link a member's identities into one history and
one strike ladder (by a moderator, or when a verified e-mail matches), undo a link, and
pseudonymise a person's data while the audit trail stays whole."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from gardien.actions.members import (
    ActionRefused,
    Who,
    extend_restrictions,
    refresh_standing,
    write_audit,
)
from gardien.errors import ConflictError, NotFoundError
from gardien.policy.schema import Strikes
from gardien.store import members_repo as repo
from gardien.store.members_people import verified_email_twins
from gardien.store.tables import AuthorRow, PostRevisionRow, PostRow
from gardien.store.tables_judgement import TextShapeRow
from gardien.store.tables_members import (
    AppealRow,
    ApplicationRow,
    EvasionFlagRow,
    IdentityLinkRow,
    MemberRow,
    ModerationItemRow,
    NoticeRow,
    SanctionRow,
)

ERASED = "[erased]"


def do_link_identities(
    session: Session, who: Who, primary_id: int, linked_id: int, reason: str, strikes: Strikes
) -> IdentityLinkRow:
    """Make `linked_id` (and whatever was linked into it) part of `primary_id`'s person."""
    primary = repo.canonical(session, repo.get_member(session, primary_id), lock=True)
    linked = repo.canonical(session, repo.get_member(session, linked_id), lock=True)
    if primary.community_id != linked.community_id:
        raise ActionRefused("identities can be linked within one community only")
    if primary.id == linked.id:
        raise ConflictError(f"members {primary_id} and {linked_id} are already one person")
    moved = [member.id for member in repo.group(session, linked)]
    session.execute(
        update(MemberRow)
        .where(MemberRow.id.in_(moved))
        .values(canonical_id=primary.id)
        .execution_options(synchronize_session="fetch")
    )
    session.execute(
        update(SanctionRow)
        .where(SanctionRow.member_id.in_(moved))
        .values(member_id=primary.id)
        .execution_options(synchronize_session="fetch")
    )
    link = IdentityLinkRow(
        community_id=primary.community_id,
        primary_id=primary.id,
        linked_id=linked.id,
        reason=reason,
        linked_by=who.actor,
        linked_at=who.now,
    )
    session.add(link)
    session.flush()
    refresh_standing(session, primary, who.now, strikes)
    write_audit(
        session,
        who,
        "member.link",
        f"member:{primary.id}",
        reason,
        community_id=link.community_id,
        link=link.id,
        linked=linked.id,
        members=moved,
    )
    return link


def do_unlink(session: Session, who: Who, link_id: int, reason: str, strikes: Strikes) -> None:
    """Undo a link: the linked identities become their own person again, with the sanctions
    that were given to them (sanctions given after the link stay with the primary)."""
    link = session.scalar(
        select(IdentityLinkRow).where(IdentityLinkRow.id == link_id).with_for_update()
    )
    if link is None:
        raise NotFoundError(f"no identity link {link_id}")
    if link.undone_at is not None:
        raise ConflictError(f"link {link_id} was already undone by {link.undone_by}")
    link.undone_at, link.undone_by = who.now, who.actor
    linked = repo.get_member(session, link.linked_id)
    members = [linked.id] + [
        m.id for m in session.scalars(select(MemberRow).where(MemberRow.canonical_id == linked.id))
    ]
    session.execute(
        update(MemberRow)
        .where(MemberRow.id.in_(members))
        .values(canonical_id=None)
        .execution_options(synchronize_session="fetch")
    )
    session.execute(
        update(SanctionRow)
        .where(SanctionRow.member_id == link.primary_id, SanctionRow.created_at < link.linked_at)
        .where(SanctionRow.post_id.in_(_posts_of(session, members)))
        .values(member_id=linked.id)
        .execution_options(synchronize_session="fetch")
    )
    for member_id in (link.primary_id, linked.id):
        refresh_standing(session, repo.get_member(session, member_id), who.now, strikes)
    write_audit(
        session,
        who,
        "member.unlink",
        f"member:{link.primary_id}",
        reason,
        community_id=link.community_id,
        link=link.id,
    )


def _posts_of(session: Session, member_ids: list[int]) -> Any:
    return (
        select(PostRow.id)
        .join(MemberRow, MemberRow.author_id == PostRow.author_id)
        .where(MemberRow.id.in_(member_ids))
    )


def do_auto_link(session: Session, who: Who, member_id: int, strikes: Strikes) -> list[int]:
    """Link the member with every member of its community sharing its verified e-mail."""
    member = repo.get_member(session, member_id)
    linked = []
    for twin in verified_email_twins(session, member):
        if repo.canonical(session, twin).id == repo.canonical(session, member).id:
            continue
        do_link_identities(session, who, member.id, twin.id, "same verified e-mail", strikes)
        linked.append(twin.id)
    return linked


def _open_flag(session: Session, flag_id: int) -> EvasionFlagRow:
    flag = session.scalar(
        select(EvasionFlagRow).where(EvasionFlagRow.id == flag_id).with_for_update()
    )
    if flag is None:
        raise NotFoundError(f"no evasion flag {flag_id}")
    if flag.status != "open":
        raise ConflictError(
            f"evasion flag {flag_id} was already {flag.status} by {flag.decided_by}"
        )
    if flag.member_id is None:
        raise ActionRefused("this flag is on an application: approve or reject the application")
    return flag


def do_confirm_evasion(
    session: Session, who: Who, flag_id: int, note: str, strikes: Strikes
) -> EvasionFlagRow:
    """The flagged member is the banned person: link the identities (one person, one ladder)
    and let the person's running restrictions reach the new identity on its channel."""
    flag = _open_flag(session, flag_id)
    flag.status, flag.decided_by, flag.decided_at, flag.note = "confirmed", who.actor, who.now, note
    banned = repo.canonical(session, repo.get_member(session, flag.banned_member_id))
    member = repo.get_member(session, flag.member_id or 0)
    if repo.canonical(session, member).id != banned.id:
        moved = repo.group(session, repo.canonical(session, member))
        do_link_identities(
            session, who, banned.id, member.id, f"ban evasion confirmed: {note}".strip(), strikes
        )
        restricted = extend_restrictions(session, who, banned, moved)
    else:
        restricted = []
    write_audit(
        session,
        who,
        "member.evasion_confirm",
        f"member:{member.id}",
        note or "same person",
        community_id=flag.community_id,
        flag=flag.id,
        banned=banned.id,
        sanctions=restricted,
    )
    return flag


def do_clear_evasion(session: Session, who: Who, flag_id: int, note: str) -> EvasionFlagRow:
    """Not the same person: the flag is cleared (never raised again for this pair), and the
    review item it opened, if nothing else holds the post there, leaves the queue."""
    flag = _open_flag(session, flag_id)
    flag.status, flag.decided_by, flag.decided_at, flag.note = "cleared", who.actor, who.now, note
    member = repo.get_member(session, flag.member_id or 0)
    closed = list(
        session.scalars(
            select(ModerationItemRow.id).where(
                ModerationItemRow.post_id.in_(
                    select(PostRow.id).where(PostRow.author_id == member.author_id)
                ),
                ModerationItemRow.action == "evasion",
                ModerationItemRow.status == "open",
                or_(
                    ModerationItemRow.claimed_by.is_(None),
                    ModerationItemRow.claimed_by == who.actor,
                    ModerationItemRow.claim_expires_at < who.now,
                ),
            )
        )
    )
    session.execute(
        update(ModerationItemRow)
        .where(ModerationItemRow.id.in_(closed), ModerationItemRow.status == "open")
        .values(status="dismissed", resolved_by=who.actor, resolved_at=who.now, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    for item_id in closed:  # the queue's live stream tells the other moderators
        write_audit(
            session,
            who,
            "item.dismissed",
            f"item:{item_id}",
            "evasion flag cleared",
            community_id=flag.community_id,
            flag=flag.id,
        )
    write_audit(
        session,
        who,
        "member.evasion_clear",
        f"member:{member.id}",
        note or "not the same person",
        community_id=flag.community_id,
        flag=flag.id,
        banned=flag.banned_member_id,
        items_closed=closed,
    )
    return flag


def pseudonym(value: str) -> str:
    """A stable stand-in for an erased identifier (the same person keeps the same pseudonym)."""
    return "erased-" + hashlib.sha256(value.encode()).hexdigest()[:16]


def do_erase_member(session: Session, who: Who, member_id: int, reason: str) -> dict[str, int]:
    """Erase the person's personal data (every linked identity): handles, names, e-mails, texts
    (and the shapes repeated-text detection kept of them), answers, evidence and notices. Rows
    stay (with pseudonyms) so ids, counts and the audit log — which records ids and rules, never
    content — keep their meaning."""
    primary = repo.canonical(session, repo.get_member(session, member_id), lock=True)
    people = repo.group(session, primary)
    ids = [m.id for m in people]
    authors = [m.author_id for m in people]
    counts: dict[str, int] = {}
    for author in session.scalars(select(AuthorRow).where(AuthorRow.id.in_(authors))):
        alias = pseudonym(f"{author.channel_id}:{author.external_id}")
        author.external_id, author.handle, author.display_name = alias, alias, ""
        author.extra, author.created_at = {}, None
    post_ids = list(session.scalars(select(PostRow.id).where(PostRow.author_id.in_(authors))))
    counts["posts"] = len(post_ids)
    session.execute(delete(PostRevisionRow).where(PostRevisionRow.post_id.in_(post_ids)))
    session.execute(delete(TextShapeRow).where(TextShapeRow.post_id.in_(post_ids)))
    session.execute(
        update(PostRow)
        .where(PostRow.id.in_(post_ids))
        .values(text=ERASED, original_text=ERASED, url=None, extra={})
        .execution_options(synchronize_session=False)
    )
    sanctions = list(session.scalars(select(SanctionRow).where(SanctionRow.member_id.in_(ids))))
    for sanction in sanctions:
        sanction.evidence, sanction.note = {"erased": True}, ""
    counts["sanctions"] = len(sanctions)
    sanction_ids = [row.id for row in sanctions]
    session.execute(
        update(AppealRow)
        .where(AppealRow.sanction_id.in_(sanction_ids))
        .values(text=ERASED)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(NoticeRow)
        .where(NoticeRow.member_id.in_(ids))
        .values(body=ERASED, content="")
        .execution_options(synchronize_session=False)
    )
    applications = list(
        session.scalars(select(ApplicationRow).where(ApplicationRow.member_id.in_(ids)))
    )
    for application in applications:
        application.handle, application.email = pseudonym(application.handle), ""
        application.answers, application.external_id, application.message = {}, None, ""
    counts["applications"] = len(applications)
    for member in people:
        member.erased_at = who.now
    write_audit(
        session,
        who,
        "member.erase",
        f"member:{primary.id}",
        reason,
        community_id=primary.community_id,
        members=ids,
        erased=counts,
    )
    return counts
