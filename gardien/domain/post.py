"""A post as received from a channel, with its edits and its engagement over time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Visibility(StrEnum):
    """Who can see the post on its channel; private posts (DMs) carry less virality risk."""

    PUBLIC = "public"
    PRIVATE = "private"
    HIDDEN = "hidden"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class Engagement:
    """Counts a channel reports for a post at one moment."""

    likes: int = 0
    replies: int = 0
    shares: int = 0


@dataclass(frozen=True, slots=True)
class EngagementSample:
    """Engagement observed at a moment; the history of these gives velocity and acceleration."""

    observed_at: datetime
    engagement: Engagement


@dataclass(frozen=True, slots=True)
class PostRevision:
    """An earlier text of an edited post: the original is never overwritten."""

    text: str
    edited_at: datetime | None


@dataclass(slots=True)
class Post:
    """One message: text kept exactly as received; normalised forms are derived, never stored over it."""

    channel: str
    external_id: str
    author: str
    text: str
    created_at: datetime
    thread_id: str | None = None
    parent_id: str | None = None
    language: str | None = None
    edited_at: datetime | None = None
    engagement: Engagement = field(default_factory=Engagement)
    visibility: Visibility = Visibility.PUBLIC
    extra: dict[str, Any] = field(default_factory=dict)
