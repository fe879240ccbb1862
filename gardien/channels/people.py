"""What platforms tell about their users, as Gardien records it: the person's profile now and,
when the platform says so, their standing there (suspended, silenced, deleted).

A push adapter that receives user webhooks maps them to `PersonEvent`s
(`receive_people(headers, body)`); `gardien.actions.channel_people` records them on the
channel's authors and the community's members, idempotently. `None` means "the platform did
not say": only what it says changes anything."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from gardien.channels.format import IncomingAuthor


@dataclass(frozen=True, slots=True)
class PersonEvent:
    """One user event: `event` is the platform's own name for it (kept in the audit entry)."""

    event: str
    author: IncomingAuthor
    suspended: bool | None = None
    #: Until when (None with `suspended`: for good).
    suspended_until: datetime | None = None
    silenced: bool | None = None
    silenced_until: datetime | None = None
    reason: str = ""
    deleted: bool = False


@runtime_checkable
class PeopleAdapter(Protocol):
    """A channel whose webhooks also speak of users (Discourse's user events)."""

    def receive_people(self, headers: Mapping[str, str], body: bytes) -> list[PersonEvent]:
        """Verify the request (raise SignatureError) and map its user events."""
        ...
