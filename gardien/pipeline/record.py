"""The record that flows through the stages, and the read-only context they may consult."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gardien.domain import Author, Community, Decision, Member, Post, Signals


@dataclass(slots=True)
class TriageRecord:
    """One post being judged: the post as received, derived text, signals, and the decision."""

    community: str
    post: Post
    post_id: int | None = None
    author: Author | None = None
    member: Member | None = None
    normalized: str = ""
    signals: Signals = field(default_factory=Signals)
    decision: Decision | None = None
    shadow: Decision | None = None


@dataclass(frozen=True, slots=True)
class CommunityConfig:
    """What stages need to know about a community: its profile, its compiled live policy, and the
    version running in shadow (decisions recorded, never applied), if any."""

    community: Community
    policy: Any = None
    shadow: Any = None


@dataclass(frozen=True, slots=True)
class StageContext:
    """Read-only inputs shared by a batch: per-community configuration. Stages keep no other state."""

    communities: Mapping[str, CommunityConfig] = field(default_factory=dict)

    def config(self, slug: str) -> CommunityConfig | None:
        """The configuration of community `slug`, if known."""
        return self.communities.get(slug)
