"""Insights actions: the community's catalogue, events and RSVPs, giveaways step by step, and
report schedules. Each `do_*` is one transaction with its audit entry; announcements (event
reminders, a giveaway's commitment, entries head and winners) go out through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.actions import audit, outbox
from gardien.domain import AuditEntry, OutboundAction
from gardien.errors import ConflictError, GardienError, NotFoundError
from gardien.insights import giveaway as draw_rules
from gardien.insights.catalogue import Catalogue
from gardien.insights.schedule import next_due
from gardien.store.communities import find_channel, find_community
from gardien.store.insights_animation import (
    candidate_for,
    entries_of,
    find_member,
    going_members,
)
from gardien.store.tables_insights import (
    EventRow,
    GiveawayEntryRow,
    GiveawayRow,
    ReportScheduleRow,
    RsvpRow,
)

RSVP = ("going", "maybe", "declined")
FORMATS = ("html", "pdf")


class InsightsError(GardienError):
    """An insights request that cannot be carried out (bad time, unknown member …)."""

    code = "insights"


@dataclass(frozen=True, slots=True)
class Who:
    """Who acts (a username or a rule's name) and when."""

    actor: str
    now: datetime


def _audit(
    session: Session, who: Who, action: str, target: str, reason: str = "", **detail: object
) -> None:
    audit.record(session, AuditEntry(who.now, who.actor, action, target, reason, "", dict(detail)))


def _send(
    session: Session,
    who: Who,
    key: str,
    channel: str,
    target: str | None,
    text: str,
    kind: str = "post",
) -> None:
    """Queue a post (or a direct message) on a channel, once per key."""
    outbox.enqueue(
        session, key, OutboundAction(channel, kind, target or "", {"text": text}), who.now
    )


def do_set_catalogue(session: Session, who: Who, community: str, catalogue: Catalogue) -> None:
    """Replace the community's products, aspects, brand accounts and funnel rules."""
    row = find_community(session, community)
    row.settings = {**(row.settings or {}), "insights": catalogue.to_dict()}
    _audit(
        session,
        who,
        "insights.catalogue",
        f"community:{community}",
        products=len(catalogue.products),
        aspects=len(catalogue.aspects),
    )


def do_create_event(
    session: Session,
    who: Who,
    community: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    channel: str | None = None,
    thread: str | None = None,
    description: str = "",
) -> EventRow:
    if ends_at <= starts_at:
        raise InsightsError("an event must end after it starts")
    row = find_community(session, community)
    if channel is not None and find_channel(session, channel).community_id != row.id:
        raise InsightsError(f"channel {channel!r} is not one of {community!r}")
    event = EventRow(
        community_id=row.id,
        title=title,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        channel=channel,
        thread=thread,
        created_by=who.actor,
        created_at=who.now,
    )
    session.add(event)
    session.flush()
    _audit(session, who, "event.create", f"event:{event.id}", title)
    return event


def _rsvp(session: Session, who: Who, event: EventRow, handle: str, status: str) -> RsvpRow:
    member = find_member(session, event.community_id, handle)
    rsvp = session.scalar(
        select(RsvpRow).where(RsvpRow.event_id == event.id, RsvpRow.member_id == member.id)
    )
    if rsvp is None:
        rsvp = RsvpRow(event_id=event.id, member_id=member.id, status=status, answered_at=who.now)
        session.add(rsvp)
    return rsvp


def do_rsvp(session: Session, who: Who, event: EventRow, handle: str, status: str) -> RsvpRow:
    if status not in RSVP:
        raise InsightsError(f"an RSVP is one of {', '.join(RSVP)}")
    rsvp = _rsvp(session, who, event, handle, status)
    rsvp.status, rsvp.answered_at = status, who.now
    session.flush()
    _audit(session, who, "event.rsvp", f"event:{event.id}", status, member=rsvp.member_id)
    return rsvp


def do_record_attendance(session: Session, who: Who, event: EventRow, handle: str) -> RsvpRow:
    """Mark a member as having attended (an RSVP is created if they came without one)."""
    rsvp = _rsvp(session, who, event, handle, "going")
    rsvp.attended_at = who.now
    session.flush()
    _audit(session, who, "event.attended", f"event:{event.id}", member=rsvp.member_id)
    return rsvp


def do_queue_event_reminders(
    session: Session, who: Who, ahead: timedelta = timedelta(hours=24)
) -> int:
    """Announce events starting within `ahead` on their channel and remind each member who is
    going, once per event (outbox keys make a second run a no-op)."""
    due = list(
        session.scalars(
            select(EventRow).where(
                EventRow.status == "scheduled",
                EventRow.reminded_at.is_(None),
                EventRow.starts_at > who.now,
                EventRow.starts_at <= who.now + ahead,
            )
        )
    )
    for event in due:
        text = f"Reminder: “{event.title}” starts at {event.starts_at:%Y-%m-%d %H:%M} UTC."
        if event.channel:
            _send(session, who, f"event:{event.id}:announce", event.channel, event.thread, text)
        for member_id, external_id, channel in going_members(session, event.id):
            key = f"event:{event.id}:remind:{member_id}"
            _send(session, who, key, channel, external_id, text, kind="message")
        event.reminded_at = who.now
        _audit(session, who, "event.remind", f"event:{event.id}")
    return len(due)


def _announce(
    session: Session, who: Who, giveaway: GiveawayRow, step: str, text: str, channel: str | None
) -> None:
    if channel:
        _send(session, who, f"giveaway:{giveaway.id}:{step}", channel, None, text)


def do_create_giveaway(
    session: Session,
    who: Who,
    community: str,
    title: str,
    closes_at: datetime,
    winners: int = 1,
    prize: str = "",
    eligibility: draw_rules.Eligibility = draw_rules.Eligibility(),
) -> GiveawayRow:
    if winners < 1:
        raise InsightsError("a giveaway needs at least one winner")
    if closes_at <= who.now:
        raise InsightsError("entries must close in the future")
    row = find_community(session, community)
    giveaway = GiveawayRow(
        community_id=row.id,
        title=title,
        prize=prize,
        winners=winners,
        eligibility=eligibility.to_dict(),
        closes_at=closes_at,
        status="draft",
        created_by=who.actor,
        created_at=who.now,
    )
    session.add(giveaway)
    session.flush()
    rules = eligibility.to_dict()
    _audit(session, who, "giveaway.create", f"giveaway:{giveaway.id}", title, eligibility=rules)
    return giveaway


def do_commit_giveaway(
    session: Session,
    who: Who,
    giveaway: GiveawayRow,
    seed: str | None = None,
    keep_seed: bool = True,
    channel: str | None = None,
) -> str:
    """Publish sha256(seed) before entries close; returns the seed (show it to the organiser
    once when it is not kept on the server)."""
    if giveaway.status != "draft":
        raise ConflictError(f"giveaway {giveaway.id} is already {giveaway.status}")
    if who.now >= giveaway.closes_at:
        raise InsightsError("the seed must be committed before entries close")
    seed = seed or draw_rules.new_seed()
    giveaway.commitment = draw_rules.commitment(seed)
    giveaway.committed_at = who.now
    giveaway.seed = seed if keep_seed else None
    giveaway.status = "open"
    _audit(
        session, who, "giveaway.commit", f"giveaway:{giveaway.id}", commitment=giveaway.commitment
    )
    _announce(
        session,
        who,
        giveaway,
        "commit",
        f"Giveaway “{giveaway.title}”: the draw's seed is committed, sha256 = {giveaway.commitment}",
        channel,
    )
    return seed


def do_enter_giveaway(
    session: Session, who: Who, giveaway: GiveawayRow, handle: str
) -> GiveawayEntryRow:
    """Enter the person behind `handle` once (linked identities count as one person)."""
    if giveaway.status != "open" or giveaway.commitment is None:
        raise InsightsError("entries are not open (commit the seed first, or they have closed)")
    if who.now >= giveaway.closes_at:
        raise InsightsError("entries have closed")
    member = find_member(session, giveaway.community_id, handle)
    person = f"member:{member.id}"
    if session.scalar(
        select(GiveawayEntryRow.id).where(
            GiveawayEntryRow.giveaway_id == giveaway.id, GiveawayEntryRow.person == person
        )
    ):
        raise ConflictError(f"{handle} has already entered (one entry per person)")
    rules = draw_rules.Eligibility.from_dict(giveaway.eligibility)
    candidate = candidate_for(session, member, handle, rules.thread, who.now)
    refused = draw_rules.refusals(candidate, rules, who.now)
    if refused:
        raise InsightsError(f"{handle} may not enter: {'; '.join(refused)}")
    # One entry at a time per giveaway: the chain needs the previous receipt.
    session.execute(select(GiveawayRow.id).where(GiveawayRow.id == giveaway.id).with_for_update())
    last = session.execute(
        select(GiveawayEntryRow.n, GiveawayEntryRow.receipt)
        .where(GiveawayEntryRow.giveaway_id == giveaway.id)
        .order_by(GiveawayEntryRow.n.desc())
        .limit(1)
    ).first()
    n, previous = (last[0] + 1, last[1]) if last else (1, giveaway.commitment)
    entry = draw_rules.Entry(n, person, handle, who.now)
    row = GiveawayEntryRow(
        giveaway_id=giveaway.id,
        n=n,
        person=person,
        member_id=member.id,
        handle=handle,
        at=who.now,
        receipt=draw_rules.receipt(previous, entry),
    )
    session.add(row)
    session.flush()
    _audit(
        session, who, "giveaway.enter", f"giveaway:{giveaway.id}", handle, n=n, receipt=row.receipt
    )
    return row


def do_close_giveaway(
    session: Session, who: Who, giveaway: GiveawayRow, channel: str | None = None
) -> str:
    """Freeze the entries: publish the last receipt (the entries head)."""
    if giveaway.status != "open" or giveaway.commitment is None:
        raise ConflictError(f"giveaway {giveaway.id} is {giveaway.status}, not open")
    chain = draw_rules.receipts(giveaway.commitment, entries_of(session, giveaway.id))
    giveaway.entries_head = chain[-1] if chain else giveaway.commitment
    giveaway.closed_at, giveaway.status = who.now, "closed"
    _audit(
        session,
        who,
        "giveaway.close",
        f"giveaway:{giveaway.id}",
        entries=len(chain),
        head=giveaway.entries_head,
    )
    _announce(
        session,
        who,
        giveaway,
        "close",
        f"Giveaway “{giveaway.title}”: {len(chain)} entries, entries head = {giveaway.entries_head}",
        channel,
    )
    return giveaway.entries_head


def do_draw_giveaway(
    session: Session,
    who: Who,
    giveaway: GiveawayRow,
    seed: str | None = None,
    channel: str | None = None,
) -> list[str]:
    """Reveal the seed and draw; the winners are recomputable by anyone (`giveaway verify`)."""
    if giveaway.status != "closed" or giveaway.entries_head is None or giveaway.commitment is None:
        raise ConflictError(f"giveaway {giveaway.id} is {giveaway.status}; close it before drawing")
    seed = seed or giveaway.seed
    if seed is None:
        raise InsightsError("the seed was not kept on the server: give it to draw")
    if draw_rules.commitment(seed) != giveaway.commitment:
        raise InsightsError("this seed does not match the published commitment")
    entries = entries_of(session, giveaway.id)
    winners = draw_rules.draw(seed, giveaway.entries_head, entries, giveaway.winners)
    giveaway.revealed_seed, giveaway.drawn, giveaway.drawn_at = seed, winners, who.now
    giveaway.status = "drawn"
    handles = {entry.entrant: entry.handle for entry in entries}
    named = ", ".join(handles[w] for w in winners) or "nobody (no entries)"
    _audit(
        session, who, "giveaway.draw", f"giveaway:{giveaway.id}", named, seed=seed, winners=winners
    )
    _announce(
        session,
        who,
        giveaway,
        "draw",
        f"Giveaway “{giveaway.title}”: seed = {seed}; winners: {named}",
        channel,
    )
    return winners


def do_schedule_report(
    session: Session,
    who: Who,
    community: str,
    recipients: list[str],
    weekday: int = 0,
    hour: int = 8,
    format: str = "pdf",
) -> ReportScheduleRow:
    if format not in FORMATS or not 0 <= weekday <= 6 or not 0 <= hour <= 23:
        raise InsightsError("format is html or pdf, weekday 0 (Monday)–6, hour 0–23")
    if not recipients or any("@" not in r for r in recipients):
        raise InsightsError("give at least one e-mail address")
    row = ReportScheduleRow(
        community_id=find_community(session, community).id,
        recipients=recipients,
        format=format,
        weekday=weekday,
        hour=hour,
        next_due_at=next_due(who.now, weekday, hour),
        created_by=who.actor,
        created_at=who.now,
    )
    session.add(row)
    session.flush()
    _audit(session, who, "report.schedule", f"report_schedule:{row.id}", ", ".join(recipients))
    return row


def do_mark_report_sent(session: Session, who: Who, schedule_id: int) -> None:
    row = session.get(ReportScheduleRow, schedule_id, with_for_update=True)
    if row is None:
        raise NotFoundError(f"no report schedule {schedule_id}")
    row.last_sent_at = who.now
    row.next_due_at = next_due(who.now, row.weekday, row.hour)
    _audit(session, who, "report.sent", f"report_schedule:{row.id}", ", ".join(row.recipients))
