"""The record that flows through the stages, and the read-only context they may consult."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from gardien.domain import Author, Community, Decision, Member, Post, Signals

if TYPE_CHECKING:
    from gardien.pipeline.shape import TextShape


@dataclass(frozen=True, slots=True)
class EarlierPost:
    """A post of the same community judged before, as the store remembers it for comparison:
    its author, time and text shape (`pipeline/shape.py`), never its text."""

    post_id: int
    channel: str
    author: str
    created_at: datetime
    fingerprint: str
    sketch: tuple[int, ...] = ()


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
    #: Loaded by the store with the record: the author's recent posts and recent posts with the
    #: same fingerprint, within `StageContext.history` (the repeated-text stage reads them).
    earlier: tuple[EarlierPost, ...] = ()
    #: The text's shape, when whoever built the record already computed it (else the stage does).
    shape: TextShape | None = None


@dataclass(frozen=True, slots=True)
class CommunityConfig:
    """What stages need to know about a community: its profile, its compiled live policy, and the
    version running in shadow (decisions recorded, never applied), if any."""

    community: Community
    policy: Any = None
    shadow: Any = None
    #: The brand's own handles in the community, case-folded (the policy's `author.is_brand`).
    brand_accounts: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class HistoryBounds:
    """How far back a post is compared with earlier ones, and how many earlier posts the store
    loads per author and per text, so that a batch costs two bounded reads whatever its size."""

    window: timedelta = timedelta(hours=24)
    per_author: int = 20
    per_text: int = 100


@dataclass(frozen=True, slots=True)
class StageContext:
    """Read-only inputs shared by a batch: per-community configuration, and how much history the
    store loads with each record. Stages keep no other state."""

    communities: Mapping[str, CommunityConfig] = field(default_factory=dict)
    history: HistoryBounds = HistoryBounds()

    def config(self, slug: str) -> CommunityConfig | None:
        """The configuration of community `slug`, if known."""
        return self.communities.get(slug)
