"""Console pages of animation: events (create, RSVPs, attendance) and giveaways anyone can verify
(create, commit the seed, enter members, close, draw). Marketing leads and community managers
read; community managers act, with plain forms (CSRF token, post/redirect/get with a message, a
refused step shown in place). JSON twins: /api/v1/insights/… (web/api/animation.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from gardien.actions import giveaways
from gardien.actions import insights as actions
from gardien.app.runtime import Runtime
from gardien.domain import ensure_utc, utcnow
from gardien.errors import ConflictError, GardienError, NotFoundError
from gardien.insights.giveaway import Eligibility
from gardien.store import insights_animation as animation
from gardien.store.communities import find_community
from gardien.store.tables_insights import EventRow, GiveawayRow
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.console.flash import flash
from gardien.web.console.render import N_, gettext_for, render
from gardien.web.deps import runtime, session

router = APIRouter(include_in_schema=False)
READERS = (Role.marketing_lead, Role.community_manager)
Reader = Annotated[Principal, Depends(require(*READERS))]
Manager = Annotated[Principal, Depends(require(Role.community_manager))]
Db = Annotated[Session, Depends(session)]
Rt = Annotated[Runtime, Depends(runtime)]
Text = Annotated[str, Form(max_length=2000)]
Page = HTMLResponse | RedirectResponse
BASE = "/console/insights/{community}"
#: Words the pages show from stored values (translated when shown).
STATUSES = (N_("draft"), N_("open"), N_("closed"), N_("drawn"))
ANSWERS = (N_("going"), N_("maybe"), N_("declined"))


def _who(principal: Principal) -> actions.Who:
    return actions.Who(f"user:{principal.username}", utcnow())


def _when(value: str, what: str) -> datetime:
    """A date and time typed in a form (UTC)."""
    try:
        return ensure_utc(datetime.fromisoformat(value.strip()))
    except ValueError:
        raise actions.InsightsError(
            f"{what}: write a date and time, e.g. 2027-05-02T08:00"
        ) from None


def _status(error: GardienError) -> int:
    return 409 if isinstance(error, ConflictError) else 400


def _event(db: Session, principal: Principal, community: str, event_id: int) -> EventRow:
    """The event, if it is one of `community`'s and the reader works there ("not found" else)."""
    access_community(principal, community, *READERS)
    event = animation.access_event(db, event_id, frozenset({community}))
    return event


def _giveaway(db: Session, principal: Principal, community: str, giveaway_id: int) -> GiveawayRow:
    access_community(principal, community, *READERS)
    return animation.access_giveaway(db, giveaway_id, frozenset({community}))


def _animation(
    request: Request,
    db: Session,
    principal: Principal,
    community: str,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    access_community(principal, community, *READERS)
    row = find_community(db, community)
    context = {
        "community": community,
        "events": animation.events(db, row.id),
        "giveaways": [animation.published(db, g) for g in animation.giveaways(db, row.id)],
        "channels": animation.channel_names(db, row.id),
        "can_manage": principal.has(Role.community_manager, community),
        "error": "",
        "values": {},
        **(extra or {}),
    }
    return render(request, "insights/animation.html", context, principal, status_code)


@router.get(BASE + "/animation", response_class=HTMLResponse)
def animation_page(community: str, request: Request, db: Db, principal: Reader) -> HTMLResponse:
    """Events with their RSVPs and attendance, giveaways with their public commitments, and
    (for a community manager) the forms that create them."""
    return _animation(request, db, principal, community)


@router.post(BASE + "/events", response_class=HTMLResponse, response_model=None)
def create_event(
    community: str,
    request: Request,
    db: Db,
    rt: Rt,
    principal: Manager,
    title: Annotated[str, Form(max_length=200)] = "",
    starts_at: Text = "",
    ends_at: Text = "",
    channel: Text = "",
    thread: Text = "",
    description: Text = "",
) -> Page:
    """A new event; its page follows, where RSVPs and attendance are recorded."""
    access_community(principal, community, Role.community_manager)
    try:
        if not title.strip():
            raise actions.InsightsError("give the event a title")
        with rt.database.session() as writing:
            event = actions.do_create_event(
                writing,
                _who(principal),
                community,
                title.strip(),
                _when(starts_at, "starts"),
                _when(ends_at, "ends"),
                channel or None,
                thread.strip() or None,
                description,
            )
            event_id = event.id
    except GardienError as error:
        values = {"title": title, "starts_at": starts_at, "ends_at": ends_at, "thread": thread}
        extra = {"error": str(error), "values": values, "failed": "event"}
        return _animation(request, db, principal, community, extra, _status(error))
    _ = gettext_for(request, principal)
    flash(request, _("Event created."))
    return RedirectResponse(f"/console/insights/{community}/events/{event_id}", status_code=303)


def _event_page(
    request: Request,
    db: Session,
    principal: Principal,
    community: str,
    event_id: int,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    event = _event(db, principal, community, event_id)
    context = {
        "community": community,
        "event": animation.event_detail(db, event),
        "can_manage": principal.has(Role.community_manager, community),
        "error": error,
    }
    return render(request, "insights/event.html", context, principal, status_code)


@router.get(BASE + "/events/{event_id}", response_class=HTMLResponse)
def event_page(
    community: str, event_id: int, request: Request, db: Db, principal: Reader
) -> HTMLResponse:
    """One event: who is going, maybe or not, who attended; forms to record them."""
    return _event_page(request, db, principal, community, event_id)


@router.post(BASE + "/events/{event_id}/{answer}", response_class=HTMLResponse, response_model=None)
def answer_event(
    community: str,
    event_id: int,
    answer: Annotated[str, Path(pattern="^(rsvps|attendance)$")],
    request: Request,
    db: Db,
    rt: Rt,
    principal: Manager,
    handle: Annotated[str, Form(max_length=200)] = "",
    status: Annotated[str, Form(max_length=20)] = "going",
) -> Page:
    """Record a member's answer (going, maybe, declined) or their attendance, by handle."""
    access_community(principal, community, Role.community_manager)
    _event(db, principal, community, event_id)
    try:
        with rt.database.session() as writing:
            event = writing.get_one(EventRow, event_id)
            if answer == "rsvps":
                actions.do_rsvp(writing, _who(principal), event, handle.strip(), status)
            else:
                actions.do_record_attendance(writing, _who(principal), event, handle.strip())
    except GardienError as error:  # an unknown handle too: said in place
        return _event_page(request, db, principal, community, event_id, str(error), _status(error))
    _ = gettext_for(request, principal)
    flash(request, _("Answer recorded.") if answer == "rsvps" else _("Attendance recorded."))
    return RedirectResponse(f"/console/insights/{community}/events/{event_id}", status_code=303)


@router.post(BASE + "/giveaways", response_class=HTMLResponse, response_model=None)
def create_giveaway(
    community: str,
    request: Request,
    db: Db,
    rt: Rt,
    principal: Manager,
    title: Annotated[str, Form(max_length=200)] = "",
    prize: Text = "",
    closes_at: Text = "",
    winners: Annotated[int, Form(ge=1, le=1000)] = 1,
    member_days: Annotated[int, Form(ge=0, le=36500)] = 0,
    thread: Text = "",
    exclude_sanctioned: Annotated[str, Form(max_length=10)] = "",
) -> Page:
    """A new giveaway (a draft): commit its seed next, then enter members."""
    access_community(principal, community, Role.community_manager)
    rules = Eligibility(member_days, thread.strip() or None, exclude_sanctioned == "yes")
    try:
        if not title.strip():
            raise actions.InsightsError("give the giveaway a title")
        with rt.database.session() as writing:
            giveaway = giveaways.do_create_giveaway(
                writing,
                _who(principal),
                community,
                title.strip(),
                _when(closes_at, "entries close"),
                winners,
                prize,
                rules,
            )
            giveaway_id = giveaway.id
    except GardienError as error:
        values = {"g_title": title, "prize": prize, "closes_at": closes_at, "g_thread": thread}
        extra = {"error": str(error), "values": values, "failed": "giveaway"}
        return _animation(request, db, principal, community, extra, _status(error))
    _ = gettext_for(request, principal)
    flash(request, _("Giveaway created: commit its seed next."))
    return RedirectResponse(
        f"/console/insights/{community}/giveaways/{giveaway_id}", status_code=303
    )


def _giveaway_page(
    request: Request,
    db: Session,
    principal: Principal,
    community: str,
    giveaway_id: int,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    giveaway = _giveaway(db, principal, community, giveaway_id)
    context = {
        "community": community,
        "g": animation.published(db, giveaway),
        "row": giveaway,
        "channels": animation.channel_names(db, giveaway.community_id),
        "can_manage": principal.has(Role.community_manager, community),
        "error": error,
    }
    return render(request, "insights/giveaway.html", context, principal, status_code)


@router.get(BASE + "/giveaways/{giveaway_id}", response_class=HTMLResponse)
def giveaway_page(
    community: str, giveaway_id: int, request: Request, db: Db, principal: Reader
) -> HTMLResponse:
    """One giveaway: its public document so far and the next step's form."""
    return _giveaway_page(request, db, principal, community, giveaway_id)


@router.post(
    BASE + "/giveaways/{giveaway_id}/{step}", response_class=HTMLResponse, response_model=None
)
def giveaway_step(
    community: str,
    giveaway_id: int,
    step: Annotated[str, Path(pattern="^(commit|entries|close|draw)$")],
    request: Request,
    db: Db,
    rt: Rt,
    principal: Manager,
    channel: Text = "",
    handle: Annotated[str, Form(max_length=200)] = "",
) -> Page:
    """commit (publish the seed's hash), entries (enter a member), close, draw."""
    access_community(principal, community, Role.community_manager)
    _giveaway(db, principal, community, giveaway_id)
    announce = channel or None
    try:
        with rt.database.session() as writing:
            giveaway, who = writing.get_one(GiveawayRow, giveaway_id), _who(principal)
            if step == "commit":
                giveaways.do_commit_giveaway(writing, who, giveaway, channel=announce)
            elif step == "entries":
                if not handle.strip():
                    raise actions.InsightsError("give the handle of who enters")
                giveaways.do_enter_giveaway(writing, who, giveaway, handle.strip())
            elif step == "close":
                giveaways.do_close_giveaway(writing, who, giveaway, channel=announce)
            else:
                giveaways.do_draw_giveaway(writing, who, giveaway, channel=announce)
    except NotFoundError as error:  # an unknown handle: said in place
        return _giveaway_page(request, db, principal, community, giveaway_id, str(error), 400)
    except GardienError as error:
        status = _status(error)
        return _giveaway_page(request, db, principal, community, giveaway_id, str(error), status)
    _ = gettext_for(request, principal)
    done = {
        "commit": _("Seed committed: its hash is published."),
        "entries": _("Entry recorded."),
        "close": _("Entries closed: the entries head is published."),
        "draw": _("Drawn: the seed is revealed and the winners named."),
    }
    flash(request, done[step])
    return RedirectResponse(
        f"/console/insights/{community}/giveaways/{giveaway_id}", status_code=303
    )
