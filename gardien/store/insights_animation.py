"""Read models for animation: members by handle, events with their RSVPs and posts, giveaways
with their entries. `access_*` answer "not found" both for missing and for forbidden objects."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gardien.errors import NotFoundError
from gardien.insights import giveaway as rules
from gardien.store.tables import AuthorRow, ChannelRow, CommunityRow, PostRow
from gardien.store.tables_insights import (
    EventRow,
    GiveawayEntryRow,
    GiveawayRow,
    ReportScheduleRow,
    RsvpRow,
)
from gardien.store.tables_members import MemberRow


def _visible(communities: frozenset[str] | None, slug: str) -> bool:
    return communities is None or slug in communities


def find_member(session: Session, community_id: int, handle: str) -> MemberRow:
    """The member of the community with this handle, as its person's primary member."""
    member = session.scalar(
        select(MemberRow)
        .join(AuthorRow, AuthorRow.id == MemberRow.author_id)
        .where(
            MemberRow.community_id == community_id,
            func.lower(AuthorRow.handle) == handle.casefold(),
        )
        .order_by(MemberRow.id)
        .limit(1)
    )
    if member is None:
        raise NotFoundError(f"no member {handle!r} in this community")
    if member.canonical_id is not None:
        return session.get_one(MemberRow, member.canonical_id)
    return member


def identities(session: Session, member: MemberRow) -> list[MemberRow]:
    """The primary member and every member linked into it: one person."""
    return list(
        session.scalars(
            select(MemberRow).where(
                (MemberRow.id == member.id) | (MemberRow.canonical_id == member.id)
            )
        )
    )


def candidate_for(
    session: Session, member: MemberRow, handle: str, thread: str | None, now: datetime
) -> rules.Candidate:
    """What eligibility needs about the person behind `member` (all their linked identities)."""
    from gardien.store.insights_people import sanctioned_members

    people = identities(session, member)
    threads: frozenset[str] = frozenset()
    if thread:
        authors = [m.author_id for m in people]
        found = session.scalars(
            select(PostRow.id).where(PostRow.author_id.in_(authors), PostRow.thread_id == thread)
        ).first()
        threads = frozenset({thread}) if found is not None else frozenset()
    return rules.Candidate(
        person=f"member:{member.id}",
        handle=handle,
        joined_at=min(m.joined_at for m in people),
        sanctioned=bool(sanctioned_members(session, [m.id for m in people], now)),
        threads=threads,
    )


def access_event(session: Session, event_id: int, communities: frozenset[str] | None) -> EventRow:
    found = session.execute(
        select(EventRow, CommunityRow.slug).join(CommunityRow).where(EventRow.id == event_id)
    ).first()
    if found is None or not _visible(communities, found[1]):
        raise NotFoundError(f"no event {event_id}")
    return found[0]


def access_giveaway(
    session: Session, giveaway_id: int, communities: frozenset[str] | None
) -> GiveawayRow:
    found = session.execute(
        select(GiveawayRow, CommunityRow.slug)
        .join(CommunityRow)
        .where(GiveawayRow.id == giveaway_id)
    ).first()
    if found is None or not _visible(communities, found[1]):
        raise NotFoundError(f"no giveaway {giveaway_id}")
    return found[0]


def entries_of(session: Session, giveaway_id: int) -> list[rules.Entry]:
    """A giveaway's entries in order, as the draw sees them."""
    return [
        rules.Entry(row.n, row.person, row.handle, row.at)
        for row in session.scalars(
            select(GiveawayEntryRow)
            .where(GiveawayEntryRow.giveaway_id == giveaway_id)
            .order_by(GiveawayEntryRow.n)
        )
    ]


def published(session: Session, giveaway: GiveawayRow) -> dict[str, object]:
    """The giveaway's public document (never the seed before the draw)."""
    if giveaway.commitment is None or giveaway.committed_at is None:
        return {
            "id": giveaway.id,
            "status": giveaway.status,
            "title": giveaway.title,
            "winners": giveaway.winners,
            "closes_at": giveaway.closes_at,
        }
    document = rules.publication(
        title=giveaway.title,
        winners=giveaway.winners,
        commit=giveaway.commitment,
        committed_at=giveaway.committed_at,
        closes_at=giveaway.closes_at,
        entries=entries_of(session, giveaway.id),
        head=giveaway.entries_head,
        seed=giveaway.revealed_seed,
        drawn=giveaway.drawn or [],
    )
    handles = {entry["entrant"]: entry["handle"] for entry in document["entries"]}
    winners = [handles.get(entrant, entrant) for entrant in giveaway.drawn or []]
    return {"id": giveaway.id, "status": giveaway.status, **document, "winner_handles": winners}


@dataclass(frozen=True, slots=True)
class EventView:
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    channel: str | None
    thread: str | None
    status: str
    going: int
    maybe: int
    attended: int


def events(session: Session, community_id: int, limit: int = 50) -> list[EventView]:
    """The community's events, latest start first, with RSVP and attendance counts."""
    rows = session.execute(
        select(
            EventRow,
            func.count(RsvpRow.id).filter(RsvpRow.status == "going"),
            func.count(RsvpRow.id).filter(RsvpRow.status == "maybe"),
            func.count(RsvpRow.attended_at),
        )
        .outerjoin(RsvpRow, RsvpRow.event_id == EventRow.id)
        .where(EventRow.community_id == community_id)
        .group_by(EventRow.id)
        .order_by(EventRow.starts_at.desc())
        .limit(limit)
    ).all()
    return [
        EventView(e.id, e.title, e.starts_at, e.ends_at, e.channel, e.thread, e.status, g, m, a)
        for e, g, m, a in rows
    ]


def event_detail(session: Session, event: EventRow) -> dict[str, object]:
    """One event with its counts and everyone who answered, by handle (latest answer first)."""
    going, maybe, attended = session.execute(
        select(
            func.count(RsvpRow.id).filter(RsvpRow.status == "going"),
            func.count(RsvpRow.id).filter(RsvpRow.status == "maybe"),
            func.count(RsvpRow.attended_at),
        ).where(RsvpRow.event_id == event.id)
    ).one()
    view = EventView(
        event.id,
        event.title,
        event.starts_at,
        event.ends_at,
        event.channel,
        event.thread,
        event.status,
        going,
        maybe,
        attended,
    )
    rows = session.execute(
        select(RsvpRow, AuthorRow.handle)
        .join(MemberRow, MemberRow.id == RsvpRow.member_id)
        .join(AuthorRow, AuthorRow.id == MemberRow.author_id)
        .where(RsvpRow.event_id == event.id)
        .order_by(RsvpRow.answered_at.desc(), RsvpRow.id.desc())
    )
    rsvps = [
        {
            "handle": handle,
            "status": rsvp.status,
            "answered_at": rsvp.answered_at,
            "attended_at": rsvp.attended_at,
        }
        for rsvp, handle in rows
    ]
    return {**asdict(view), "description": event.description, "rsvps": rsvps}


def channel_names(session: Session, community_id: int) -> list[str]:
    """The community's channels, where events happen and giveaways are announced."""
    return list(
        session.scalars(
            select(ChannelRow.name)
            .where(ChannelRow.community_id == community_id)
            .order_by(ChannelRow.name)
        )
    )


def going_members(session: Session, event_id: int) -> list[tuple[int, str, str]]:
    """(member id, author external id, channel name) of everyone going to the event."""
    rows = session.execute(
        select(RsvpRow.member_id, AuthorRow.external_id, ChannelRow.name)
        .join(MemberRow, MemberRow.id == RsvpRow.member_id)
        .join(AuthorRow, AuthorRow.id == MemberRow.author_id)
        .join(ChannelRow, ChannelRow.id == AuthorRow.channel_id)
        .where(RsvpRow.event_id == event_id, RsvpRow.status == "going")
    )
    return [(member_id, external_id, channel) for member_id, external_id, channel in rows]


def giveaways(session: Session, community_id: int, limit: int = 50) -> list[GiveawayRow]:
    return list(
        session.scalars(
            select(GiveawayRow)
            .where(GiveawayRow.community_id == community_id)
            .order_by(GiveawayRow.id.desc())
            .limit(limit)
        )
    )


def due_schedules(session: Session, now: datetime) -> list[tuple[int, str, list[str], str]]:
    """Report schedules due at `now`: (id, community slug, recipients, format)."""
    return [
        (row.id, slug, list(row.recipients), row.format)
        for row, slug in session.execute(
            select(ReportScheduleRow, CommunityRow.slug)
            .join(CommunityRow, CommunityRow.id == ReportScheduleRow.community_id)
            .where(ReportScheduleRow.next_due_at <= now)
            .order_by(ReportScheduleRow.id)
        )
    ]
