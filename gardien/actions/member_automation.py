"""What the members area does when triage has judged posts (`on_judged`, called from
store/triage.py in triage's transaction): a decision whose action the policy says earns a strike
gives the author that strike, as the rule (``rule:<name>``) through do_sanction (ladder, notice,
audit, outbox), once per post however often it is judged again; and authors not yet checked are
compared with the banned members (ban evasion, flagged with the evidence) and linked with their
other identities by verified e-mail."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gardien.actions.identities import do_auto_link
from gardien.actions.members import Who, do_sanction, write_audit
from gardien.domain.decision import Decision
from gardien.members import evasion
from gardien.pipeline.record import TriageRecord
from gardien.policy.compiler import CompiledPolicy, compile_text
from gardien.policy.defaults import default_policy
from gardien.store import members_repo as repo
from gardien.store import policies
from gardien.store.communities import find_community, to_community
from gardien.store.members_people import banned_people, identity_of
from gardien.store.tables import AuthorRow, ChannelRow, CommunityRow, PostRow
from gardien.store.tables_members import (
    EvasionFlagRow,
    MemberRow,
    ModerationItemRow,
    SanctionRow,
)
from gardien.store.upsert import insert_ignoring_duplicates

EVASION_ACTOR = "rule:ban-evasion"
LINK_ACTOR = "rule:verified-email"
#: A flagged member's post enters the review queue this high (a held post is about 1 to 2).
EVASION_SEVERITY = 1.5


def on_judged(session: Session, records: Sequence[TriageRecord], now: datetime) -> None:
    """Automatic strikes for the judged posts, then the ban-evasion scan of their new authors."""
    compiled: dict[str, CompiledPolicy] = {}

    def policy(slug: str) -> CompiledPolicy:
        if slug not in compiled:
            compiled[slug] = policy_of(session, slug)
        return compiled[slug]

    for record in records:
        decision = record.decision
        if decision is None or record.post_id is None or not _earns_strike(decision):
            continue
        strike_from_rule(session, policy(record.community), record.post_id, decision, now)
    ids = [record.post_id for record in records if record.post_id is not None]
    scan_new_members(session, _unchecked(session, ids), now, policy)


def policy_of(session: Session, slug: str) -> CompiledPolicy:
    """The community's live stored policy, else the shipped default for its main language."""
    live, _ = policies.active(session, slug)
    if live is not None:
        return compile_text(live.text, f"{slug}.yaml", live.author, live.saved_at)
    community = to_community(find_community(session, slug))
    locale = community.locales[0] if community.locales else "en"
    return default_policy(locale, slug, community.watched_words)


def _earns_strike(decision: Decision) -> bool:
    """The evaluator adds a reason of kind "strike" when the action is in `strikes.earned_by`."""
    return any(reason.kind == "strike" for reason in decision.reasons)


def _cited_rule(decision: Decision) -> str:
    """The rule whose action the decision took (the first reason with that action)."""
    for reason in decision.reasons:
        if reason.kind != "strike" and reason.action is decision.action and reason.rule:
            return reason.rule
    return "strikes"


def strike_from_rule(
    session: Session, policy: CompiledPolicy, post_id: int, decision: Decision, now: datetime
) -> SanctionRow | None:
    """Give the post's author the strike the decision earned, unless the post already brought
    one (judged again, or a moderator struck for it first): one post, one strike."""
    if decision.action.value not in policy.policy.strikes.earned_by:
        return None
    given = session.scalar(
        select(SanctionRow.id).where(SanctionRow.post_id == post_id, SanctionRow.strike).limit(1)
    )
    if given is not None:
        return None
    rule = _cited_rule(decision)
    member = repo.post_facts(session, post_id).member
    note = f"automatic: the policy's {decision.action.value} earns a strike"
    return do_sanction(
        session,
        Who(f"rule:{rule}", now),
        policy,
        member.id,
        "warn",
        rule,
        note,
        post_id=post_id,
        cited=False,
    )


def _unchecked(session: Session, post_ids: list[int]) -> list[MemberRow]:
    """The authors of these posts whose membership ban evasion has not looked at yet."""
    if not post_ids:
        return []
    return list(
        session.scalars(
            select(MemberRow)
            .join(PostRow, PostRow.author_id == MemberRow.author_id)
            .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
            .where(
                PostRow.id.in_(post_ids),
                ChannelRow.community_id == MemberRow.community_id,
                MemberRow.evasion_checked_at.is_(None),
            )
            .distinct()
            .order_by(MemberRow.id)
        )
    )


def scan_new_members(
    session: Session,
    members: Sequence[MemberRow],
    now: datetime,
    policy: Callable[[str], CompiledPolicy],
) -> list[int]:
    """Compare each member with the community's banned people, flag resemblances with their
    evidence, link identities by verified e-mail, and mark the member checked. Returns the ids
    of the flags raised."""
    if not members:
        return []
    who = Who(EVASION_ACTOR, now)
    verified = _verified(session, [member.id for member in members])
    banned: dict[int, list[tuple[MemberRow, evasion.Identity, set[int]]]] = {}
    flags: list[int] = []
    for member in members:
        community = member.community_id
        if community not in banned:
            banned[community] = [
                (person, identity_of(session, group), {m.id for m in group})
                for person in banned_people(session, community, now)
                for group in [repo.group(session, person)]
            ]
        flags.extend(_flag(session, who, member, banned[community]))
        if member.id in verified:
            slug = session.get_one(CommunityRow, community).slug
            linker = Who(LINK_ACTOR, now)
            do_auto_link(session, linker, member.id, policy(slug).policy.strikes)
    ids = [member.id for member in members]
    for start in range(0, len(ids), 500):
        session.execute(
            update(MemberRow)
            .where(MemberRow.id.in_(ids[start : start + 500]))
            .values(evasion_checked_at=now)
            .execution_options(synchronize_session=False)
        )
    return flags


def _verified(session: Session, member_ids: list[int], chunk: int = 500) -> set[int]:
    """Which of these members' authors have a verified e-mail (queried by chunks)."""
    found = set()
    for start in range(0, len(member_ids), chunk):
        rows = session.execute(
            select(MemberRow.id, AuthorRow.extra)
            .join(AuthorRow, AuthorRow.id == MemberRow.author_id)
            .where(MemberRow.id.in_(member_ids[start : start + chunk]))
        )
        found |= {
            member_id
            for member_id, extra in rows
            if (extra or {}).get("email") and (extra or {}).get("verified")
        }
    return found


def _flag(
    session: Session,
    who: Who,
    member: MemberRow,
    banned: list[tuple[MemberRow, evasion.Identity, set[int]]],
) -> list[int]:
    """Flag `member` against every banned person it resembles (not itself, not twice)."""
    if not banned:
        return []
    mine = {member.id, member.canonical_id}
    candidate = identity_of(session, [member])
    raised = []
    for person, identity, group in banned:
        if mine & group:
            continue
        found = evasion.resemblance(candidate, identity)
        if not found.flagged or _flagged(session, member.id, person.id):
            continue
        evidence = [
            {"hint": e.hint, "weight": e.weight, "detail": e.detail} for e in found.evidence
        ]
        flag = EvasionFlagRow(
            community_id=member.community_id,
            member_id=member.id,
            banned_member_id=person.id,
            score=found.score,
            evidence=evidence,
            created_at=who.now,
        )
        session.add(flag)
        session.flush()
        write_audit(
            session,
            who,
            "member.evasion_flag",
            f"member:{member.id}",
            "; ".join(e.detail for e in found.evidence),
            community_id=member.community_id,
            flag=flag.id,
            banned=person.id,
            score=found.score,
            hints=[e.hint for e in found.evidence],
        )
        raised.append(flag.id)
    if raised:
        _to_review(session, member, who.now)
    return raised


def _to_review(session: Session, member: MemberRow, now: datetime) -> None:
    """Put the flagged member's latest post in the review queue (action ``evasion``), where the
    author's history shows the evidence; an item the post already has is left as it is."""
    post_id = session.scalar(
        select(PostRow.id)
        .where(PostRow.author_id == member.author_id)
        .order_by(PostRow.created_at.desc(), PostRow.id.desc())
        .limit(1)
    )
    if post_id is None:
        return
    session.execute(
        insert_ignoring_duplicates(session, ModerationItemRow),
        [
            {
                "post_id": post_id,
                "community_id": member.community_id,
                "action": "evasion",
                "severity": EVASION_SEVERITY,
                "status": "open",
                "created_at": now,
            }
        ],
    )


def _flagged(session: Session, member_id: int, banned_id: int) -> bool:
    return (
        session.scalar(
            select(EvasionFlagRow.id).where(
                EvasionFlagRow.member_id == member_id, EvasionFlagRow.banned_member_id == banned_id
            )
        )
        is not None
    )
