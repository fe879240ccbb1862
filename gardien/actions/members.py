"""Sanctions, appeals and identity links: each do_* function runs in the caller's transaction,
writes its audit entry and queues what the channel must do in the outbox.

Actors are strings: ``user:<name>`` for a person, ``rule:<name>`` for automation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gardien.actions import audit, outbox
from gardien.domain import AuditEntry, OutboundAction
from gardien.errors import GardienError
from gardien.members import ladder, notices, trust
from gardien.policy.compiler import CompiledPolicy
from gardien.store import members_repo as repo
from gardien.store.tables import CommunityRow, PostRow
from gardien.store.tables_members import (
    MemberRow,
    ModerationItemRow,
    NoticeRow,
    SanctionRow,
)

#: Decisions about one post (no strike) and sanctions on the member (one strike each).
POST_KINDS = ("hide", "remove", "censor")
KINDS = (*POST_KINDS, *ladder.SANCTIONS)


class ActionRefused(GardienError):
    """The action cannot be taken as asked; the message says why and what would work."""

    code = "refused"


@dataclass(frozen=True, slots=True)
class Who:
    """Who acts and when (a person ``user:ana`` or a rule ``rule:screening``)."""

    actor: str
    now: datetime


def write_audit(
    session: Session,
    who: Who,
    action: str,
    target: str,
    reason: str = "",
    policy_version: str = "",
    *,
    community_id: int | None,
    **detail: Any,
) -> None:
    """One audit entry by `who`, in the community of the object acted on."""
    audit.record(
        session,
        AuditEntry(
            who.now,
            who.actor,
            action,
            target,
            reason,
            policy_version,
            detail,
            community_id=community_id,
        ),
    )


def send(session: Session, key: str, action: OutboundAction, now: datetime) -> None:
    outbox.enqueue(session, key, action, now)


def check_rule(rule: str, rules: list[dict[str, str]]) -> str:
    """`rule` if the community has it; a refusal naming the rules it has otherwise."""
    ids = [item["id"] for item in rules]
    if rule not in ids:
        raise ActionRefused(f"unknown rule {rule!r}; choose one of: {', '.join(ids)}")
    return rule


def policy_rules(policy: CompiledPolicy) -> list[str]:
    return [rule.rule.name for rule in policy.rules] + [
        item.name for item in policy.policy.watched_words.lists
    ]


def do_sanction(
    session: Session,
    who: Who,
    policy: CompiledPolicy,
    member_id: int,
    kind: str,
    rule: str,
    note: str = "",
    post_id: int | None = None,
    duration: timedelta | None = None,
    item_id: int | None = None,
    censored: str | None = None,
    cited: bool = True,
) -> SanctionRow:
    """Sanction a member (or a post of theirs) for breaking `rule`.

    warn/mute/suspend/ban give a strike and follow the policy's ladder (an explicit sanction
    applies when at least as strong as the ladder's step); hide/remove/censor act on the post
    without a strike. Either way the member gets a statement of reasons with the content, kept
    as evidence, and how to appeal. `cited=False` (automatic strikes) names the policy's rule
    as it is, without requiring it in the code of conduct's rule list."""
    if kind not in KINDS:
        raise ActionRefused(f"unknown sanction {kind!r}; use one of {', '.join(KINDS)}")
    if kind in POST_KINDS and post_id is None:
        raise ActionRefused(f"{kind} acts on a post: give post_id")
    member = repo.get_member(session, member_id)
    primary = repo.canonical(session, member, lock=True)
    community = session.get_one(CommunityRow, primary.community_id)
    if cited:
        check_rule(rule, repo.community_rules(session, community.id, policy_rules(policy)))
    people = repo.group(session, primary)
    history = repo.sanctions(session, [m.id for m in people])
    strikes = policy.policy.strikes
    active = ladder.counted(repo.strike_dates(history), who.now, strikes)
    if kind in POST_KINDS:
        ruling = ladder.Ruling(active, kind, None)
    else:
        ruling = ladder.rule_on(active, strikes, kind, duration)
    evidence, language = _evidence(session, post_id)
    if censored is not None:
        evidence["censored_text"] = censored
    row = SanctionRow(
        member_id=primary.id,
        community_id=community.id,
        kind=ruling.kind,
        strike=kind not in POST_KINDS,
        strike_number=ruling.strike if kind not in POST_KINDS else 0,
        rule=rule,
        note=note,
        post_id=post_id,
        evidence=evidence,
        created_by=who.actor,
        created_at=who.now,
        ends_at=ruling.ends_at(who.now),
        appeal_until=who.now + ladder.APPEAL_WINDOW,
        appeal_token=secrets.token_urlsafe(24),
        policy_version=policy.version.id,
    )
    session.add(row)
    session.flush()
    _notify_sanction(session, who, row, primary, community, language)
    _enforce(session, who, row, people)
    refresh_standing(session, primary, who.now, strikes)
    write_audit(
        session,
        who,
        f"member.{row.kind}",
        f"member:{primary.id}",
        f"{rule}: {note}" if note else rule,
        policy.version.id,
        community_id=community.id,
        sanction=row.id,
        asked=kind,
        strike=row.strike_number,
        ends_at=row.ends_at.isoformat() if row.ends_at else None,
        post=post_id,
        item=item_id,
    )
    return row


def do_warn(
    session: Session,
    who: Who,
    policy: CompiledPolicy,
    member_id: int,
    rule: str,
    note: str = "",
    post_id: int | None = None,
) -> SanctionRow:
    """A strike; the ladder says what it brings (a warning first, then mute, suspend, ban)."""
    return do_sanction(session, who, policy, member_id, "warn", rule, note, post_id)


def do_mute(
    session: Session,
    who: Who,
    policy: CompiledPolicy,
    member_id: int,
    rule: str,
    note: str = "",
    duration: timedelta | None = None,
) -> SanctionRow:
    return do_sanction(session, who, policy, member_id, "mute", rule, note, duration=duration)


def do_suspend(
    session: Session,
    who: Who,
    policy: CompiledPolicy,
    member_id: int,
    rule: str,
    note: str = "",
    duration: timedelta | None = None,
) -> SanctionRow:
    return do_sanction(session, who, policy, member_id, "suspend", rule, note, duration=duration)


def do_ban(
    session: Session, who: Who, policy: CompiledPolicy, member_id: int, rule: str, note: str = ""
) -> SanctionRow:
    return do_sanction(session, who, policy, member_id, "ban", rule, note)


def _evidence(session: Session, post_id: int | None) -> tuple[dict[str, Any], str | None]:
    """The content concerned, copied so an appeal can see it even if the channel deletes it."""
    if post_id is None:
        return {}, None
    found = repo.post_facts(session, post_id)
    post = found.post
    return {
        "post_id": post.id,
        "channel": found.channel,
        "external_id": post.external_id,
        "text": post.text,
        "original_text": post.original_text,
        "url": post.url,
        "created_at": post.created_at.isoformat(),
        "reasons": found.reasons,
    }, found.language


def _notify_sanction(
    session: Session,
    who: Who,
    row: SanctionRow,
    member: MemberRow,
    community: CommunityRow,
    post_language: str | None,
) -> None:
    locales = (community.settings or {}).get("locales") or ["en"]
    language = notices.language_of(member.language, post_language, locales[0])
    text = notices.sanction_notice(
        language,
        community.name,
        row.kind,
        row.rule,
        str(row.evidence.get("text", "")),
        row.ends_at,
        f"/appeal/{row.appeal_token}",
        row.appeal_until,
    )
    notice = NoticeRow(
        member_id=member.id,
        community_id=community.id,
        sanction_id=row.id,
        kind=row.kind,
        language=language,
        subject=text.subject,
        body=text.body,
        rule=row.rule,
        content=str(row.evidence.get("text", "")),
        created_at=who.now,
    )
    session.add(notice)
    session.flush()
    deliver_notice(session, notice, member, who.now)


def deliver_notice(session: Session, notice: NoticeRow, member: MemberRow, now: datetime) -> None:
    """Queue the notice to the member on the channel of their main identity."""
    (_, author, channel), *_ = repo.identities(session, [member])
    send(
        session,
        f"notice:{notice.id}",
        OutboundAction(
            channel,
            "notify",
            author.external_id,
            {"subject": notice.subject, "body": notice.body, "notice": notice.id},
        ),
        now,
    )


def _enforce(session: Session, who: Who, row: SanctionRow, people: list[MemberRow]) -> None:
    """What the channels must do: act on the post, or restrict every identity of the person."""
    if row.kind in POST_KINDS:
        evidence = row.evidence
        payload: dict[str, Any] = {"rule": row.rule, "sanction": row.id}
        if row.kind == "censor":
            payload["text"] = evidence.get("censored_text", "")
        send(
            session,
            f"sanction:{row.id}:{row.kind}",
            OutboundAction(evidence["channel"], row.kind, evidence["external_id"], payload),
            who.now,
        )
        return
    if row.kind == "warn":
        return
    for _, author, channel in repo.identities(session, people):
        send(
            session,
            f"sanction:{row.id}:{row.kind}:{author.id}",
            OutboundAction(
                channel,
                row.kind,
                author.external_id,
                {
                    "until": row.ends_at.isoformat() if row.ends_at else None,
                    "rule": row.rule,
                    "sanction": row.id,
                },
            ),
            who.now,
        )


def extend_restrictions(
    session: Session, who: Who, person: MemberRow, newcomers: list[MemberRow]
) -> list[int]:
    """The person's restrictions still running (mute, suspend, ban) reach identities found to
    be theirs later; the ids of the sanctions queued again."""
    running = [
        row
        for row in repo.sanctions(session, [person.id])
        if row.kind in ("mute", "suspend", "ban")
        and row.lifted_at is None
        and (row.ends_at is None or row.ends_at > who.now)
    ]
    for row in running:
        _enforce(session, who, row, newcomers)
    return [row.id for row in running]


def refresh_standing(
    session: Session, primary: MemberRow, now: datetime, strikes: Any
) -> tuple[int, int]:
    """Recompute the person's active strikes and trust level and store them on every identity
    (the policy's rules read `member.strikes` and `member.trust_level`)."""
    people = repo.group(session, primary)
    ids = [m.id for m in people]
    rows = repo.sanctions(session, ids)
    active = ladder.counted(repo.strike_dates(rows), now, strikes)
    banned = ladder.standing(repo.facts(rows), now).state == "banned"
    authors = [m.author_id for m in people]
    posts = session.scalar(select(func.count()).where(PostRow.author_id.in_(authors))) or 0
    removed = (
        session.scalar(
            select(func.count())
            .select_from(ModerationItemRow)
            .join(PostRow, PostRow.id == ModerationItemRow.post_id)
            .where(PostRow.author_id.in_(authors), ModerationItemRow.status == "removed")
        )
        or 0
    )
    joined = min(m.joined_at for m in people)
    level = trust.trust_level(
        trust.History((now - joined).total_seconds() / 86_400, posts, removed, active, banned)
    )
    for member in people:
        member.strikes, member.trust_level = active, level
    return active, level
