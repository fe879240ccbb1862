"""Appeals: a member appeals a sanction once, within its window; another moderator decides.
When upheld, the sanction is lifted, its strike removed and the channel told to undo it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.actions.members import (
    POST_KINDS,
    ActionRefused,
    Who,
    deliver_notice,
    refresh_standing,
    send,
    write_audit,
)
from gardien.domain import OutboundAction
from gardien.errors import ConflictError, NotFoundError
from gardien.members import notices
from gardien.policy.compiler import CompiledPolicy
from gardien.store import members_repo as repo
from gardien.store.tables import CommunityRow
from gardien.store.tables_members import AppealRow, MemberRow, NoticeRow, SanctionRow


def find_sanction(session: Session, sanction_id: int | None, token: str | None) -> SanctionRow:
    query = select(SanctionRow).with_for_update()
    if token:
        query = query.where(SanctionRow.appeal_token == token)
    else:
        query = query.where(SanctionRow.id == sanction_id)
    row = session.scalar(query)
    if row is None:
        raise NotFoundError("no such sanction (the appeal link may be wrong)")
    return row


def do_appeal(
    session: Session,
    who: Who,
    text: str,
    sanction_id: int | None = None,
    token: str | None = None,
) -> AppealRow:
    """File the member's one appeal of a sanction, within the appeal window."""
    sanction = find_sanction(session, sanction_id, token)
    if session.scalar(select(AppealRow.id).where(AppealRow.sanction_id == sanction.id)):
        raise ConflictError(f"sanction {sanction.id} has already been appealed; one appeal each")
    if who.now > sanction.appeal_until:
        raise ActionRefused(f"the appeal window closed on {sanction.appeal_until:%Y-%m-%d}")
    if sanction.lifted_at is not None:
        raise ActionRefused(f"sanction {sanction.id} was already lifted")
    appeal = AppealRow(
        sanction_id=sanction.id,
        community_id=sanction.community_id,
        text=text.strip(),
        filed_by=who.actor,
        filed_at=who.now,
        status="open",
    )
    session.add(appeal)
    session.flush()
    write_audit(
        session,
        who,
        "appeal.file",
        f"member:{sanction.member_id}",
        "appeal filed",
        community_id=sanction.community_id,
        appeal=appeal.id,
        sanction=sanction.id,
    )
    return appeal


def do_decide_appeal(
    session: Session, who: Who, policy: CompiledPolicy, appeal_id: int, upheld: bool, note: str
) -> AppealRow:
    """Another moderator decides; when upheld the sanction is lifted and its strike removed,
    and a removed or hidden post is restored on its channel."""
    appeal = session.scalar(select(AppealRow).where(AppealRow.id == appeal_id).with_for_update())
    if appeal is None:
        raise NotFoundError(f"no appeal {appeal_id}")
    if appeal.status != "open":
        raise ConflictError(f"appeal {appeal_id} was already decided ({appeal.status})")
    sanction = session.get_one(SanctionRow, appeal.sanction_id)
    if sanction.created_by == who.actor:
        raise ActionRefused("another moderator must decide an appeal of your own sanction")
    appeal.status = "upheld" if upheld else "dismissed"
    appeal.decided_by, appeal.decided_at, appeal.note = who.actor, who.now, note
    member = session.get_one(MemberRow, sanction.member_id)
    community = session.get_one(CommunityRow, sanction.community_id)
    if upheld:
        sanction.lifted_at, sanction.lifted_by = who.now, who.actor
        _undo(session, who, sanction, member)
        refresh_standing(session, repo.canonical(session, member), who.now, policy.policy.strikes)
    locales = (community.settings or {}).get("locales") or ["en"]
    language = notices.language_of(member.language, locales[0])
    text = notices.appeal_outcome(language, community.name, upheld, note)
    notice = NoticeRow(
        member_id=member.id,
        community_id=community.id,
        sanction_id=sanction.id,
        kind="appeal_" + appeal.status,
        language=language,
        subject=text.subject,
        body=text.body,
        rule=sanction.rule,
        created_at=who.now,
    )
    session.add(notice)
    session.flush()
    deliver_notice(session, notice, member, who.now)
    write_audit(
        session,
        who,
        f"appeal.{appeal.status}",
        f"member:{member.id}",
        note or appeal.status,
        policy.version.id,
        community_id=community.id,
        appeal=appeal.id,
        sanction=sanction.id,
        strike_removed=upheld and sanction.strike,
    )
    return appeal


def _undo(session: Session, who: Who, sanction: SanctionRow, member: MemberRow) -> None:
    """Queue the reverse of a lifted sanction: restore the post, or lift the restriction."""
    if sanction.kind in POST_KINDS:
        evidence = sanction.evidence
        send(
            session,
            f"sanction:{sanction.id}:restore",
            OutboundAction(
                evidence["channel"], "restore", evidence["external_id"], {"sanction": sanction.id}
            ),
            who.now,
        )
    elif sanction.kind != "warn":
        for _, author, channel in repo.identities(session, repo.group(session, member)):
            send(
                session,
                f"sanction:{sanction.id}:lift:{author.id}",
                OutboundAction(channel, f"un{sanction.kind}", author.external_id, {}),
                who.now,
            )
