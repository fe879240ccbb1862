"""What a platform says about its users, recorded on Gardien's people: the channel's author
(profile, e-mail, platform extras) and the community's member, and the standing the platform
gave them there — a suspension, a silence, a deleted account.

A restriction made on the platform becomes a sanction of the member *without a strike*, by the
actor `channel:<name>` and citing the rule `platform`: it shows in the member's standing and file
like any other, but Gardien neither sends it back to the platform (it is there already) nor
sends a notice (the platform told the person), and its appeal goes to the platform (its window
is closed here). When Gardien itself restricted the person, the platform's echo of that changes
nothing; when the platform lifts a restriction, the ones it made are lifted here, while
Gardien's own stay (they are Gardien's decision) and the audit entry names them.
`do_record_person` is idempotent: a webhook delivered twice changes nothing the second time."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.actions.members import Who, refresh_standing, write_audit
from gardien.channels.format import IncomingAuthor
from gardien.channels.people import PersonEvent
from gardien.store import members_repo as repo
from gardien.store.bulk import insert_many
from gardien.store.communities import find_channel
from gardien.store.tables import AuthorRow, ChannelRow
from gardien.store.tables_members import MemberRow, SanctionRow

#: The rule a restriction made on the platform cites (the platform's own reason is its note).
PLATFORM_RULE = "platform"
RESTRICTIONS = {"suspend": ("suspend", "ban"), "mute": ("mute",)}


@dataclass(slots=True)
class PersonOutcome:
    """What recording one event changed: the member, and each change (empty: nothing new)."""

    member_id: int
    changes: list[str] = field(default_factory=list)


def do_record_person(
    session: Session, channel: str, event: PersonEvent, now: datetime, strikes: Any
) -> PersonOutcome:
    """Record a platform's user event on the channel's author and the community's member,
    in the caller's transaction, with one audit entry when anything changed."""
    row = find_channel(session, channel)
    who = Who(f"channel:{channel}", now)
    author, changes = _author(session, row, event.author, now)
    member = repo.ensure_member(
        session, row.community_id, author.id, event.author.created_at or now
    )
    primary = repo.canonical(session, member, lock=True)
    if event.deleted and not (author.extra or {}).get("deleted_on_platform_at"):
        author.extra = {**(author.extra or {}), "deleted_on_platform_at": now.isoformat()}
        changes.append("deleted on the platform")
    restricted = False
    kept: list[int] = []
    for kind, state, until in (
        ("suspend", event.suspended, event.suspended_until),
        ("mute", event.silenced, event.silenced_until),
    ):
        if state is True:
            made = _restrict(session, who, primary, author, kind, until, event)
            restricted |= made is not None
            changes.extend([made] if made else [])
        elif state is False:
            lifted, still = _lift(session, who, primary, author, kind)
            restricted |= bool(lifted)
            changes.extend(f"{kind} {sanction} lifted" for sanction in lifted)
            changes.extend(
                f"lifted on the platform; Gardien's {sanction} stays" for sanction in still
            )
            kept.extend(still)
    if restricted:
        refresh_standing(session, primary, now, strikes)
    if changes:
        write_audit(
            session,
            who,
            "member.platform",
            f"member:{primary.id}",
            event.reason or event.event,
            community_id=row.community_id,
            event=event.event,
            author=author.external_id,
            changes=changes,
            gardien_sanctions_still_active=kept,
        )
    return PersonOutcome(primary.id, changes)


def _author(
    session: Session, channel: ChannelRow, incoming: IncomingAuthor, now: datetime
) -> tuple[AuthorRow, list[str]]:
    """The channel's author for `incoming`, created or brought up to date; what changed."""
    extra = {**(incoming.model_extra or {})}
    if incoming.email:
        extra["email"] = incoming.email
    if incoming.verified:
        extra["verified"] = True
    insert_many(
        session,
        AuthorRow,
        [
            {
                "channel_id": channel.id,
                "external_id": incoming.id,
                "handle": incoming.handle,
                "display_name": incoming.name,
                "followers": incoming.followers,
                "created_at": incoming.created_at,
                "extra": extra,
            }
        ],
    )
    author = session.scalars(
        select(AuthorRow).where(
            AuthorRow.channel_id == channel.id, AuthorRow.external_id == incoming.id
        )
    ).one()
    session.refresh(author)
    changes: list[str] = []
    if author.handle != incoming.handle and incoming.handle:
        changes.append(f"handle {author.handle!r} → {incoming.handle!r}")
        author.handle = incoming.handle
    if author.display_name != incoming.name and incoming.name:
        changes.append("name changed")
        author.display_name = incoming.name
    if author.created_at is None and incoming.created_at is not None:
        author.created_at = incoming.created_at
    known = author.extra or {}
    changed = sorted(key for key, value in extra.items() if known.get(key) != value)
    if changed:
        changes.append("profile: " + ", ".join(changed))
        author.extra = {**known, **extra}
    if not session.scalar(select(MemberRow.id).where(MemberRow.author_id == author.id)):
        changes.insert(0, "new member")
    return author, changes


def _active(
    session: Session, primary: MemberRow, kinds: tuple[str, ...], now: datetime
) -> list[SanctionRow]:
    people = [member.id for member in repo.group(session, primary)]
    return [
        row
        for row in repo.sanctions(session, people)
        if row.kind in kinds
        and row.lifted_at is None
        and (row.ends_at is None or row.ends_at > now)
    ]


def _restrict(
    session: Session,
    who: Who,
    primary: MemberRow,
    author: AuthorRow,
    kind: str,
    until: datetime | None,
    event: PersonEvent,
) -> str | None:
    """A sanction for a restriction the platform made, unless the person is so restricted
    already (by Gardien, whose action the platform echoes, or by an earlier event)."""
    active = _active(session, primary, RESTRICTIONS[kind], who.now)
    ours = [row for row in active if row.created_by == who.actor]
    if ours and kind == "suspend" and until is not None and ours[-1].ends_at != until:
        ours[-1].ends_at = until  # the platform changed the length of its own suspension
        return f"{ours[-1].kind} {ours[-1].id} now until {until.isoformat()}"
    if active:
        return None
    sanction_kind = "ban" if kind == "suspend" and until is None else kind
    row = SanctionRow(
        member_id=primary.id,
        community_id=primary.community_id,
        kind=sanction_kind,
        strike=False,
        strike_number=0,
        rule=PLATFORM_RULE,
        note=event.reason,
        post_id=None,
        evidence={
            "channel": who.actor.removeprefix("channel:"),
            "external_id": author.external_id,
            "platform_event": event.event,
        },
        created_by=who.actor,
        created_at=who.now,
        ends_at=until if sanction_kind != "ban" else None,
        appeal_until=who.now,  # appealed on the platform, which made it
        appeal_token=secrets.token_urlsafe(24),
        policy_version="",
    )
    session.add(row)
    session.flush()
    return f"{sanction_kind} {row.id} on the platform" + (
        f" until {until.isoformat()}" if until else ""
    )


def _lift(
    session: Session, who: Who, primary: MemberRow, author: AuthorRow, kind: str
) -> tuple[list[int], list[int]]:
    """Lift what this channel recorded of the platform's restriction on this account; return
    the sanctions lifted and Gardien's own ones of that kind, which stay."""
    lifted, kept = [], []
    for row in _active(session, primary, RESTRICTIONS[kind], who.now):
        evidence = row.evidence or {}
        if row.created_by == who.actor and evidence.get("external_id") == author.external_id:
            row.lifted_at, row.lifted_by = who.now, who.actor
            lifted.append(row.id)
        elif not evidence.get("lifted_on_platform_at"):
            row.evidence = {**evidence, "lifted_on_platform_at": who.now.isoformat()}
            kept.append(row.id)
    session.flush()
    return lifted, kept
