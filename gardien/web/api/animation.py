"""Animation API: events (RSVPs, attendance) and giveaways anyone can verify, step by step.
Marketing leads and community managers read; community managers act. The console's pages over
the same data are in web/console/animation_pages.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from gardien.actions import giveaways
from gardien.actions import insights as actions
from gardien.insights.giveaway import Eligibility
from gardien.store import insights_animation as animation
from gardien.store.communities import find_community
from gardien.web.access import Principal, Role, access_community
from gardien.web.api.insights import READERS, Db, Manager, Reader

router = APIRouter(prefix="/api/v1/insights", tags=["insights"])


def _who(principal: Principal) -> actions.Who:
    return actions.Who(f"user:{principal.username}", datetime.now(UTC))


class EventViewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
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


class RsvpOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    handle: str
    status: str
    answered_at: datetime
    attended_at: datetime | None


class EventDetailOut(EventViewOut):
    description: str
    rsvps: list[RsvpOut]


@router.get("/{community}/events", response_model=list[EventViewOut])
def list_events(community: str, db: Db, principal: Reader) -> list[EventViewOut]:
    """The community's events, latest start first, with RSVP and attendance counts."""
    access_community(principal, community, *READERS)
    rows = animation.events(db, find_community(db, community).id)
    return [EventViewOut.model_validate(row) for row in rows]


@router.get("/events/{event_id}", response_model=EventDetailOut)
def get_event(event_id: int, db: Db, principal: Reader) -> EventDetailOut:
    """One event with everyone who answered (going, maybe, declined) and who attended."""
    event = animation.access_event(db, event_id, principal.communities(*READERS))
    return EventDetailOut.model_validate(animation.event_detail(db, event))


@router.get("/{community}/giveaways")
def list_giveaways(community: str, db: Db, principal: Reader) -> list[dict[str, Any]]:
    """The community's giveaways, newest first, each as its public document so far."""
    access_community(principal, community, *READERS)
    rows = animation.giveaways(db, find_community(db, community).id)
    return [animation.published(db, row) for row in rows]


class EventIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    starts_at: datetime
    ends_at: datetime
    channel: str | None = None
    thread: str | None = None
    description: str = ""


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    channel: str | None
    thread: str | None
    status: str


@router.post("/{community}/events", response_model=EventOut, status_code=201)
def create_event(community: str, body: EventIn, db: Db, principal: Manager) -> EventOut:
    access_community(principal, community, Role.community_manager)
    event = actions.do_create_event(
        db,
        _who(principal),
        community,
        body.title,
        body.starts_at,
        body.ends_at,
        body.channel,
        body.thread,
        body.description,
    )
    return EventOut.model_validate(event)


class RsvpIn(BaseModel):
    handle: str = Field(min_length=1, max_length=200)
    status: Literal["going", "maybe", "declined"] = "going"


@router.post("/events/{event_id}/rsvps", status_code=204)
def rsvp(event_id: int, body: RsvpIn, db: Db, principal: Manager) -> None:
    event = animation.access_event(db, event_id, principal.communities(Role.community_manager))
    actions.do_rsvp(db, _who(principal), event, body.handle, body.status)


@router.post("/events/{event_id}/attendance", status_code=204)
def attended(event_id: int, body: RsvpIn, db: Db, principal: Manager) -> None:
    event = animation.access_event(db, event_id, principal.communities(Role.community_manager))
    actions.do_record_attendance(db, _who(principal), event, body.handle)


class GiveawayIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    closes_at: datetime
    winners: int = Field(1, ge=1, le=1000)
    prize: str = ""
    member_days: int = Field(0, ge=0)
    thread: str | None = None
    exclude_sanctioned: bool = True


@router.post("/{community}/giveaways", status_code=201)
def create_giveaway(community: str, body: GiveawayIn, db: Db, principal: Manager) -> dict[str, Any]:
    access_community(principal, community, Role.community_manager)
    rules = Eligibility(body.member_days, body.thread, body.exclude_sanctioned)
    giveaway = giveaways.do_create_giveaway(
        db, _who(principal), community, body.title, body.closes_at, body.winners, body.prize, rules
    )
    return animation.published(db, giveaway)


class StepIn(BaseModel):
    channel: str | None = Field(None, description="Where to announce this step.")
    handle: str | None = Field(None, description="Who enters (for /entries).")


@router.post("/giveaways/{giveaway_id}/{step}")
def giveaway_step(
    giveaway_id: int,
    step: Annotated[str, Path(pattern="^(commit|entries|close|draw)$")],
    body: StepIn,
    db: Db,
    principal: Manager,
) -> dict[str, Any]:
    """commit (publish the seed's hash), entries (enter a member), close, draw."""
    giveaway = animation.access_giveaway(
        db, giveaway_id, principal.communities(Role.community_manager)
    )
    who = _who(principal)
    if step == "commit":
        giveaways.do_commit_giveaway(db, who, giveaway, channel=body.channel)
    elif step == "entries":
        if not body.handle:
            raise actions.InsightsError("give the handle of who enters")
        giveaways.do_enter_giveaway(db, who, giveaway, body.handle)
    elif step == "close":
        giveaways.do_close_giveaway(db, who, giveaway, channel=body.channel)
    else:
        giveaways.do_draw_giveaway(db, who, giveaway, channel=body.channel)
    return animation.published(db, giveaway)


@router.get("/giveaways/{giveaway_id}")
def giveaway(giveaway_id: int, db: Db, principal: Reader) -> dict[str, Any]:
    """The published document: commitment, entries with receipts, head, seed and winners once
    drawn. Save it and run `gardien giveaway verify FILE`."""
    found = animation.access_giveaway(db, giveaway_id, principal.communities(*READERS))
    return animation.published(db, found)
