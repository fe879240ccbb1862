"""Channel state in the store: configurations, cursors, health, and deliveries already made.

Each function works inside the caller's session (one transaction); the scheduler and the
dispatcher decide when to commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.channels.adapter import ChannelConfig, masked_settings
from gardien.channels.parse import Limits
from gardien.store.communities import find_channel
from gardien.store.tables import ChannelRow, CommunityRow
from gardien.store.tables_channels import ChannelAttemptRow, ChannelDeliveryRow, ChannelStateRow


def config_of(row: ChannelRow, community: str, limits: Limits | None = None) -> ChannelConfig:
    return ChannelConfig(
        name=row.name,
        kind=row.kind,
        community=community,
        settings=dict(row.settings or {}),
        limits=limits or Limits(),
    )


def channel_configs(session: Session, limits: Limits | None = None) -> list[ChannelConfig]:
    """Every channel, by name."""
    rows = session.execute(
        select(ChannelRow, CommunityRow.slug)
        .join(CommunityRow, CommunityRow.id == ChannelRow.community_id)
        .order_by(ChannelRow.name)
    )
    return [config_of(row, slug, limits) for row, slug in rows]


def channel_config(session: Session, name: str, limits: Limits | None = None) -> ChannelConfig:
    """One channel's configuration, or NotFoundError."""
    row = find_channel(session, name)
    community = session.get_one(CommunityRow, row.community_id)
    return config_of(row, community.slug, limits)


def _state(session: Session, channel: str) -> ChannelStateRow:
    row = find_channel(session, channel)
    state = session.get(ChannelStateRow, row.id)
    if state is None:
        state = ChannelStateRow(
            channel_id=row.id, cursor={}, status="ok", last_error="", failures=0, items_seen=0
        )
        session.add(state)
        session.flush()
    return state


def cursor_of(session: Session, channel: str) -> dict[str, Any]:
    state = session.scalar(
        select(ChannelStateRow)
        .join(ChannelRow, ChannelRow.id == ChannelStateRow.channel_id)
        .where(ChannelRow.name == channel)
    )
    return dict(state.cursor or {}) if state else {}


def due(session: Session, channel: str, now: datetime) -> bool:
    """Whether the channel may be polled now (not resting after a failure or a rate limit)."""
    state = session.scalar(
        select(ChannelStateRow.next_poll_at)
        .join(ChannelRow, ChannelRow.id == ChannelStateRow.channel_id)
        .where(ChannelRow.name == channel)
    )
    return state is None or state <= now


def save_cursor(session: Session, channel: str, cursor: dict[str, Any], items: int) -> None:
    """Remember where a channel's listening got to, once the page before it is stored."""
    state = _state(session, channel)
    state.cursor = dict(cursor)
    state.items_seen += items


def record_success(session: Session, channel: str, now: datetime, next_poll: datetime) -> None:
    state = _state(session, channel)
    state.status, state.failures = "ok", 0
    state.last_poll_at = state.last_success_at = now
    state.next_poll_at = next_poll


def record_event(session: Session, channel: str, now: datetime, items: int) -> None:
    """A platform pushed something to the channel (webhook or bridge): it shows in the health,
    which a channel that is never polled (`pull: false`) has no other way to show."""
    state = _state(session, channel)
    state.last_event_at = now
    state.items_seen += items


def record_failure(
    session: Session, channel: str, status: str, error: str, now: datetime, retry_at: datetime
) -> None:
    """Keep the error (already free of credentials) and rest the channel until `retry_at`."""
    state = _state(session, channel)
    state.status = status
    state.failures += 1
    state.last_error = error[:2000]
    state.last_error_at = state.last_poll_at = now
    state.next_poll_at = retry_at


def failure_backoff(failures: int, base_seconds: float) -> timedelta:
    """Rest a failing channel longer each time: base, 2×, 4× … capped at one hour."""
    return timedelta(seconds=min(base_seconds * 2 ** max(failures, 0), 3600))


def failures_of(session: Session, channel: str) -> int:
    return _state(session, channel).failures


def delivered(session: Session, key: str) -> ChannelDeliveryRow | None:
    return session.get(ChannelDeliveryRow, key)


def unknown_since(session: Session, key: str) -> datetime | None:
    """When the earliest attempt at `key` whose outcome is not known began (None: no such)."""
    return session.scalar(select(ChannelAttemptRow.started_at).where(ChannelAttemptRow.key == key))


def begin_attempt(
    session: Session, key: str, channel: str, kind: str, target: str, now: datetime
) -> None:
    """Note that `key` is about to be handed to its platform; an earlier attempt whose outcome
    is still unknown keeps its start, so a later search covers both."""
    row = session.get(ChannelAttemptRow, key)
    if row is None:
        session.add(
            ChannelAttemptRow(
                key=key, channel=channel, kind=kind, target=target, started_at=now, tries=1
            )
        )
    else:
        row.tries += 1
    session.flush()


def end_attempt(session: Session, key: str) -> None:
    """The outcome of `key` is known (carried out and recorded, or refused by the platform)."""
    row = session.get(ChannelAttemptRow, key)
    if row is not None:
        session.delete(row)
        session.flush()


def record_delivery(
    session: Session, key: str, channel: str, kind: str, target: str, remote_id: str, at: datetime
) -> None:
    end_attempt(session, key)
    session.add(
        ChannelDeliveryRow(
            key=key,
            channel=channel,
            kind=kind,
            target=target,
            remote_id=remote_id[:200],
            delivered_at=at,
        )
    )
    session.flush()


@dataclass(frozen=True, slots=True)
class ChannelHealth:
    """What an admin sees of a channel: kind, health, last error, cursor, settings (masked)."""

    name: str
    kind: str
    community: str
    status: str
    last_error: str
    last_error_at: datetime | None
    last_poll_at: datetime | None
    last_success_at: datetime | None
    next_poll_at: datetime | None
    last_event_at: datetime | None
    failures: int
    items_seen: int
    cursor: dict[str, Any]
    settings: dict[str, Any]


def health(session: Session, name: str | None = None) -> list[ChannelHealth]:
    """Health of every channel (or one), never-polled channels as 'never'."""
    query = (
        select(ChannelRow, CommunityRow.slug, ChannelStateRow)
        .join(CommunityRow, CommunityRow.id == ChannelRow.community_id)
        .outerjoin(ChannelStateRow, ChannelStateRow.channel_id == ChannelRow.id)
        .order_by(ChannelRow.name)
    )
    if name is not None:
        query = query.where(ChannelRow.name == name)
    out = []
    for row, slug, state in session.execute(query):
        out.append(
            ChannelHealth(
                name=row.name,
                kind=row.kind,
                community=slug,
                status=state.status if state else "never",
                last_error=state.last_error if state else "",
                last_error_at=state.last_error_at if state else None,
                last_poll_at=state.last_poll_at if state else None,
                last_success_at=state.last_success_at if state else None,
                next_poll_at=state.next_poll_at if state else None,
                last_event_at=state.last_event_at if state else None,
                failures=state.failures if state else 0,
                items_seen=state.items_seen if state else 0,
                cursor=dict(state.cursor or {}) if state else {},
                settings=masked_settings(row.settings or {}),
            )
        )
    return out
