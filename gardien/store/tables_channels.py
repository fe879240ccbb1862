"""Channel adapters' own state: where each channel's listening stopped (its cursor), how healthy
it is, and which outbound actions a platform has already carried out (so a key acts once)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gardien.store.tables import Base


class ChannelStateRow(Base):
    """One row per listened channel: the cursor to resume from, and its health."""

    __tablename__ = "channel_state"

    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"), primary_key=True)
    cursor: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: ok, failing, unauthorized, rate_limited, misconfigured (or never polled: no row).
    status: Mapped[str] = mapped_column(String(30), default="ok")
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_error_at: Mapped[datetime | None]
    last_poll_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    next_poll_at: Mapped[datetime | None]
    #: When the platform last pushed something (its webhook, or a bridge).
    last_event_at: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(Integer, default=0)
    items_seen: Mapped[int] = mapped_column(Integer, default=0)


class ChannelDeliveryRow(Base):
    """An outbound action the platform has carried out, with the platform's own id for the
    result (the reply's id, the report's id …): the outbox key is never sent twice."""

    __tablename__ = "channel_deliveries"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    channel: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(200))
    remote_id: Mapped[str] = mapped_column(String(200), default="")
    delivered_at: Mapped[datetime]


class ChannelAttemptRow(Base):
    """An outbound action handed to its platform whose outcome is not known yet: written (and
    committed) before the platform call, removed once the delivery is recorded or the platform
    clearly refused. A row still here at the next try means a crash or a lost answer, so the
    dispatcher first looks on the platform for the result made since `started_at`."""

    __tablename__ = "channel_attempts"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    channel: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    tries: Mapped[int] = mapped_column(Integer, default=1)
