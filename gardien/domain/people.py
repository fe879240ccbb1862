"""Authors (a platform identity) and members (an author's standing in one community)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Author:
    """Who wrote a post, as the channel knows them."""

    channel: str
    external_id: str
    handle: str = ""
    display_name: str = ""
    followers: int = 0
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Member:
    """An author's membership in a community: when they joined, how far they are trusted."""

    community: str
    author: Author
    joined_at: datetime
    trust_level: int = 0
    strikes: int = 0
