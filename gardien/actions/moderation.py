"""The review queue's actions: claim an item (with expiry), act on it (approve, hide, remove,
censor, warn, mute, suspend, ban — several at once), on a selection, or on the author's similar
posts. Taking an item is one conditional UPDATE, so two moderators never act on the same item:
the second finds it claimed or handled and gets a ConflictError saying by whom."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from gardien.actions.members import (
    POST_KINDS,
    ActionRefused,
    Who,
    check_rule,
    do_sanction,
    policy_rules,
    send,
    write_audit,
)
from gardien.actions.reports import answer_reports
from gardien.domain import OutboundAction
from gardien.errors import ConflictError, NotFoundError
from gardien.members.evasion import text_similarity
from gardien.members.ladder import SANCTIONS
from gardien.policy.compiler import CompiledPolicy
from gardien.store import members_repo as repo
from gardien.store.tables import PostRow
from gardien.store.tables_members import ModerationItemRow

CLAIM_TTL = timedelta(minutes=10)
ACTIONS = ("approve", *POST_KINDS, *SANCTIONS)
#: The item's status after each main action (a sanction alone upholds the automatic decision).
STATUS = {"approve": "approved", "hide": "hidden", "remove": "removed", "censor": "censored"}
SIMILAR_AT = 0.8


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a moderator decided about an item: actions, the rule broken and a note."""

    action: str
    rule: str = ""
    note: str = ""
    also: tuple[str, ...] = ()
    duration: timedelta | None = None
    censored_text: str | None = None
    similar: bool = False

    @property
    def steps(self) -> list[str]:
        return list(dict.fromkeys([self.action, *self.also]))

    @property
    def status(self) -> str:
        return next((STATUS[step] for step in self.steps if step in STATUS), "upheld")


@dataclass(slots=True)
class Outcome:
    item: int
    status: str
    sanctions: list[int] = field(default_factory=list)
    similar: list[int] = field(default_factory=list)


def _free(who: Who) -> Any:
    return or_(
        ModerationItemRow.claimed_by.is_(None),
        ModerationItemRow.claimed_by == who.actor,
        ModerationItemRow.claim_expires_at < who.now,
    )


def _refuse(session: Session, item_id: int, who: Who) -> ConflictError:
    """Why `who` could not take the item: already handled, or claimed by someone else."""
    item = session.scalar(
        select(ModerationItemRow)
        .where(ModerationItemRow.id == item_id)
        .execution_options(populate_existing=True)
    )
    if item is None:
        raise NotFoundError(f"no moderation item {item_id}")
    if item.status != "open":
        return ConflictError(
            f"item {item_id} was already handled by {item.resolved_by} ({item.status}); "
            "reload the queue"
        )
    until = item.claim_expires_at.strftime("%H:%M UTC") if item.claim_expires_at else "?"
    return ConflictError(
        f"item {item_id} is being handled by {item.claimed_by} (claimed until {until}); "
        "pick another item"
    )


def do_claim(session: Session, who: Who, item_id: int, ttl: timedelta = CLAIM_TTL) -> None:
    """Claim an open item for `ttl`; renewing one's own claim is allowed, taking another's not."""
    result = session.execute(
        update(ModerationItemRow)
        .where(ModerationItemRow.id == item_id, ModerationItemRow.status == "open", _free(who))
        .values(claimed_by=who.actor, claim_expires_at=who.now + ttl)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise _refuse(session, item_id, who)
    write_audit(
        session,
        who,
        "item.claim",
        f"item:{item_id}",
        community_id=_community_of(session, item_id),
        until=str(who.now + ttl),
    )


def do_release(session: Session, who: Who, item_id: int) -> None:
    """Give a claimed item back to the queue (only its holder can)."""
    result = session.execute(
        update(ModerationItemRow)
        .where(
            ModerationItemRow.id == item_id,
            ModerationItemRow.status == "open",
            ModerationItemRow.claimed_by == who.actor,
        )
        .values(claimed_by=None, claim_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise _refuse(session, item_id, who)
    write_audit(
        session,
        who,
        "item.release",
        f"item:{item_id}",
        community_id=_community_of(session, item_id),
    )


def _community_of(session: Session, item_id: int) -> int:
    return session.scalars(
        select(ModerationItemRow.community_id).where(ModerationItemRow.id == item_id)
    ).one()


def _take(session: Session, who: Who, item_id: int, verdict: Verdict) -> ModerationItemRow:
    """Mark the item handled, if it is open and not claimed by someone else."""
    result = session.execute(
        update(ModerationItemRow)
        .where(ModerationItemRow.id == item_id, ModerationItemRow.status == "open", _free(who))
        .values(
            status=verdict.status,
            resolved_by=who.actor,
            resolved_at=who.now,
            rule=verdict.rule or None,
            claimed_by=None,
            claim_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise _refuse(session, item_id, who)
    answer_reports(session, item_id)
    return session.get_one(ModerationItemRow, item_id, populate_existing=True)


def check(session: Session, policy: CompiledPolicy, community_id: int, verdict: Verdict) -> None:
    """Refuse a verdict that cannot be carried out, before anything changes."""
    for step in verdict.steps:
        if step not in ACTIONS:
            raise ActionRefused(f"unknown action {step!r}; use one of {', '.join(ACTIONS)}")
    if "approve" in verdict.steps and len(verdict.steps) > 1:
        raise ActionRefused("approve cannot be combined with other actions")
    if "approve" not in verdict.steps:
        rules = repo.community_rules(session, community_id, policy_rules(policy))
        if not verdict.rule:
            raise ActionRefused("choose the rule broken: " + ", ".join(r["id"] for r in rules))
        check_rule(verdict.rule, rules)


def do_act(
    session: Session, who: Who, policy: CompiledPolicy, item_id: int, verdict: Verdict
) -> Outcome:
    """Carry out `verdict` on one item: its post actions, then the sanctions on its author."""
    item = session.get(ModerationItemRow, item_id)
    if item is None:
        raise NotFoundError(f"no moderation item {item_id}")
    check(session, policy, item.community_id, verdict)
    item = _take(session, who, item_id, verdict)
    outcome = _carry_out(session, who, policy, item, verdict, struck=set())
    if verdict.similar:
        outcome.similar = _similar(session, who, policy, item, verdict)
    return outcome


def _carry_out(
    session: Session,
    who: Who,
    policy: CompiledPolicy,
    item: ModerationItemRow,
    verdict: Verdict,
    struck: set[int],
) -> Outcome:
    """The verdict's steps on one taken item; a person in `struck` already got this verdict's
    strike (one decision, one strike, however many posts it covers)."""
    found = repo.post_facts(session, item.post_id)
    person = repo.canonical(session, found.member).id
    outcome = Outcome(item.id, item.status)
    for step in verdict.steps:
        if step == "approve":
            send(
                session,
                f"item:{item.id}:approve",
                OutboundAction(found.channel, "approve", found.post.external_id, {"item": item.id}),
                who.now,
            )
            continue
        if step in SANCTIONS:
            if person in struck:
                continue
            struck.add(person)
        censored = _masked(found.post.text, found.reasons) if step == "censor" else None
        sanction = do_sanction(
            session,
            who,
            policy,
            found.member.id,
            step,
            verdict.rule,
            verdict.note,
            post_id=item.post_id,
            duration=verdict.duration if step in SANCTIONS else None,
            item_id=item.id,
            censored=verdict.censored_text if verdict.censored_text is not None else censored,
        )
        outcome.sanctions.append(sanction.id)
    write_audit(
        session,
        who,
        f"item.{item.status}",
        f"item:{item.id}",
        verdict.note or verdict.rule or item.status,
        policy.version.id,
        community_id=item.community_id,
        post=item.post_id,
        rule=verdict.rule,
        actions=verdict.steps,
        sanctions=outcome.sanctions,
    )
    return outcome


def _masked(text: str, reasons: list[dict[str, Any]]) -> str:
    """The text with every span the decision's reasons point at replaced by asterisks."""
    chars = list(text)
    for reason in reasons:
        span = reason.get("span")
        if span:
            for index in range(max(0, span["start"]), min(len(chars), span["end"])):
                if not chars[index].isspace():
                    chars[index] = "*"
    return "".join(chars)


def _similar(
    session: Session,
    who: Who,
    policy: CompiledPolicy,
    item: ModerationItemRow,
    verdict: Verdict,
) -> list[int]:
    """Apply the post actions (not the strikes: one decision, one strike) to the author's other
    open items whose text is nearly the same."""
    found = repo.post_facts(session, item.post_id)
    primary = repo.canonical(session, found.member)
    people = repo.group(session, primary)
    rows = session.execute(
        select(ModerationItemRow.id, PostRow.text)
        .join(PostRow, PostRow.id == ModerationItemRow.post_id)
        .where(
            ModerationItemRow.community_id == item.community_id,
            ModerationItemRow.status == "open",
            ModerationItemRow.id != item.id,
            PostRow.author_id.in_([m.author_id for m in people]),
        )
    )
    done = []
    for other_id, text in rows:
        if text_similarity(found.post.text, text) < SIMILAR_AT:
            continue
        try:
            other = _take(session, who, other_id, verdict)
        except ConflictError:
            continue  # someone else holds it: their call
        _carry_out(session, who, policy, other, verdict, struck={primary.id})
        done.append(other_id)
    return done


@dataclass(slots=True)
class BulkOutcome:
    done: list[Outcome] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)


def do_bulk(
    session: Session,
    who: Who,
    policy: CompiledPolicy,
    community_id: int,
    item_ids: list[int],
    verdict: Verdict,
) -> BulkOutcome:
    """The same verdict on a selection of one community's items: items someone else holds or
    already handled are reported, the rest are done, in one transaction; each person gets one
    strike however many of their posts are selected."""
    check(session, policy, community_id, verdict)
    report = BulkOutcome()
    struck: set[int] = set()
    items = {
        item.id: item
        for item in session.scalars(
            select(ModerationItemRow).where(
                ModerationItemRow.id.in_(item_ids), ModerationItemRow.community_id == community_id
            )
        )
    }
    for item_id in dict.fromkeys(item_ids):
        if item_id not in items:
            report.refused.append({"id": item_id, "message": f"no moderation item {item_id}"})
            continue
        try:
            item = _take(session, who, item_id, verdict)
        except ConflictError as error:
            report.refused.append({"id": item_id, "message": str(error)})
            continue
        report.done.append(_carry_out(session, who, policy, item, verdict, struck))
    return report
