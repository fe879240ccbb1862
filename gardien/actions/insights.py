"""Insights actions: the community's catalogue, events and RSVPs, and report schedules (the
giveaways are in giveaways.py). Each `do_*` is one transaction with its audit entry; event
reminders go out through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.actions import audit, outbox
from gardien.domain import AuditEntry, OutboundAction
from gardien.errors import GardienError, NotFoundError
from gardien.insights.catalogue import Catalogue
from gardien.insights.schedule import next_due
from gardien.store.communities import find_channel, find_community
from gardien.store.insights_animation import (
    find_member,
    going_members,
)
from gardien.store.tables_insights import (
    EventRow,
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


def write_audit(
    session: Session,
    who: Who,
    community_id: int,
    action: str,
    target: str,
    reason: str = "",
    **detail: object,
) -> None:
    audit.record(
        session,
        AuditEntry(
            who.now, who.actor, action, target, reason, "", dict(detail), community_id=community_id
        ),
    )


def send_post(
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
    write_audit(
        session,
        who,
        row.id,
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
    write_audit(session, who, row.id, "event.create", f"event:{event.id}", title)
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
    write_audit(
        session,
        who,
        event.community_id,
        "event.rsvp",
        f"event:{event.id}",
        status,
        member=rsvp.member_id,
    )
    return rsvp


def do_record_attendance(session: Session, who: Who, event: EventRow, handle: str) -> RsvpRow:
    """Mark a member as having attended (an RSVP is created if they came without one)."""
    rsvp = _rsvp(session, who, event, handle, "going")
    rsvp.attended_at = who.now
    session.flush()
    write_audit(
        session,
        who,
        event.community_id,
        "event.attended",
        f"event:{event.id}",
        member=rsvp.member_id,
    )
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
            send_post(session, who, f"event:{event.id}:announce", event.channel, event.thread, text)
        for member_id, external_id, channel in going_members(session, event.id):
            key = f"event:{event.id}:remind:{member_id}"
            send_post(session, who, key, channel, external_id, text, kind="message")
        event.reminded_at = who.now
        write_audit(session, who, event.community_id, "event.remind", f"event:{event.id}")
    return len(due)


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
    write_audit(
        session,
        who,
        row.community_id,
        "report.schedule",
        f"report_schedule:{row.id}",
        ", ".join(recipients),
    )
    return row


def do_mark_report_sent(session: Session, who: Who, schedule_id: int) -> None:
    row = session.get(ReportScheduleRow, schedule_id, with_for_update=True)
    if row is None:
        raise NotFoundError(f"no report schedule {schedule_id}")
    row.last_sent_at = who.now
    row.next_due_at = next_due(who.now, row.weekday, row.hour)
    write_audit(
        session,
        who,
        row.community_id,
        "report.sent",
        f"report_schedule:{row.id}",
        ", ".join(row.recipients),
    )
