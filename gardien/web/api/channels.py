"""Channels' API: each channel's health and last error (credentials masked), its settings
changed by an admin, listening started over; and the platform-native webhook (Discourse's own
signature, or a bridge's Gardien signature), public because its signature authenticates it."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from gardien.actions.channels import do_configure_channel, do_reset_cursor
from gardien.app.ingest import ingest_and_triage
from gardien.app.people import record_people
from gardien.app.runtime import Runtime
from gardien.channels import exports, state
from gardien.domain import utcnow
from gardien.errors import IngestError, NotFoundError
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.api.ingest import MAX_BODY_BYTES
from gardien.web.api.schemas import IngestOut
from gardien.web.deps import runtime, session

router = APIRouter(prefix="/api/v1/channels", tags=["channels"])
Db = Annotated[Session, Depends(session)]
Rt = Annotated[Runtime, Depends(runtime)]
Admin = Annotated[Principal, Depends(require(Role.admin))]
Manager = Annotated[Principal, Depends(require(Role.community_manager))]


class ChannelOut(BaseModel):
    """A channel as an admin or its community's manager sees it; credentials show as ***."""

    name: str
    kind: str
    community: str
    status: str = Field(description="ok, failing, unauthorized, rate_limited, misconfigured, never")
    last_error: str
    last_error_at: datetime | None
    last_poll_at: datetime | None
    last_success_at: datetime | None
    next_poll_at: datetime | None
    last_event_at: datetime | None = Field(description="When the platform last pushed a webhook.")
    failures: int
    items_seen: int
    cursor: dict[str, Any]
    settings: dict[str, Any]


class SettingsIn(BaseModel):
    set: dict[str, Any] = Field(default_factory=dict, description="Settings to set (tokens too).")
    unset: list[str] = Field(default_factory=list, description="Settings to remove.")
    reason: str = ""


def _out(view: state.ChannelHealth) -> ChannelOut:
    return ChannelOut(**{name: getattr(view, name) for name in ChannelOut.model_fields})


def _visible(db: Db, principal: Principal, name: str) -> state.ChannelHealth:
    views = state.health(db, name)
    if not views:
        raise NotFoundError(f"no channel named {name!r}")
    try:
        access_community(principal, views[0].community, Role.community_manager)
    except NotFoundError:
        raise NotFoundError(f"no channel named {name!r}") from None
    return views[0]


@router.get("", response_model=list[ChannelOut])
def list_channels(db: Db, principal: Manager) -> list[ChannelOut]:
    """Every channel of the communities the caller manages, with its health."""
    allowed = principal.communities(Role.community_manager)
    return [_out(v) for v in state.health(db) if principal.is_admin or v.community in allowed]


@router.get("/{name}", response_model=ChannelOut)
def get_channel(name: str, db: Db, principal: Manager) -> ChannelOut:
    """One channel's health, cursor and (masked) settings."""
    return _out(_visible(db, principal, name))


@router.patch("/{name}/settings", response_model=ChannelOut)
def configure_channel(name: str, body: SettingsIn, db: Db, principal: Admin) -> ChannelOut:
    """Change a channel's settings; the audit log names the keys changed, never a secret."""
    do_configure_channel(
        db, name, f"user:{principal.username}", utcnow(), body.set, tuple(body.unset), body.reason
    )
    return _out(state.health(db, name)[0])


@router.post("/{name}/reset", response_model=ChannelOut)
def reset_channel(name: str, db: Db, principal: Admin) -> ChannelOut:
    """Forget the channel's cursor and rest: the next poll starts over (nothing duplicates)."""
    do_reset_cursor(db, name, f"user:{principal.username}", utcnow())
    return _out(state.health(db, name)[0])


class PersonOut(BaseModel):
    member_id: int
    changes: list[str] = Field(description="What the event changed; empty when nothing new.")


class EventsOut(IngestOut):
    people: list[PersonOut] = Field(
        default_factory=list, description="User events recorded on members (Discourse)."
    )


@router.post("/{name}/events", response_model=EventsOut)
async def receive_event(name: str, request: Request, rt: Rt) -> EventsOut:
    """A platform's webhook in its own format: Discourse (X-Discourse-Event-Signature; post and
    user events), or a bridge forwarding X/Facebook/YouTube/Reddit JSON signed like
    /api/v1/ingest. Bad items are rejected one by one; the rest land and are judged; user
    events update the channel's authors and the community's members."""
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise IngestError(f"body over {MAX_BODY_BYTES} bytes; split it into several requests")
    received = await run_in_threadpool(_receive, rt, name, dict(request.headers), body)
    people = await run_in_threadpool(record_people, rt, name, received.people)
    source = f"events:{name}:{hashlib.sha256(body).hexdigest()[:32]}"
    result = await run_in_threadpool(ingest_and_triage, rt, name, source, iter(received.posts))
    await run_in_threadpool(_noted, rt, name, len(received.posts) + len(received.people))
    counts = result.report.counts
    return EventsOut(
        accepted=counts.new + counts.edited + counts.unchanged,
        new=counts.new,
        edited=counts.edited,
        unchanged=counts.unchanged,
        engagement_points=counts.engagement_points,
        rejected=[{"line": line, "reason": reason} for line, reason in result.report.rejects],
        triaged=result.triaged,
        people=[PersonOut(member_id=p.member_id, changes=p.changes) for p in people],
    )


def _noted(rt: Runtime, name: str, items: int) -> None:
    with rt.database.session() as db:
        state.record_event(db, name, utcnow(), items)


def _receive(rt: Runtime, name: str, headers: dict[str, str], body: bytes) -> exports.Received:
    with rt.database.session() as db:
        config = state.channel_config(db, name, rt.limits)
    return exports.receive(config, headers, body)
