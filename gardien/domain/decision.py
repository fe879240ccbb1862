"""A decision: the one action chosen for a post, where it goes, and every reason behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from gardien.domain.signals import Span


class Action(StrEnum):
    """What should happen to a post, weakest first: the evaluator keeps the strongest."""

    ALLOW = "allow"
    TAG = "tag"
    FLAG = "flag"
    ROUTE = "route"
    CENSOR = "censor"
    HOLD = "hold"
    BLOCK = "block"

    @property
    def strength(self) -> int:
        """Rank used to pick the strongest of several actions."""
        return _ORDER.index(self)


_ORDER = list(Action)


class Queue(StrEnum):
    """Where a post that needs a human lands."""

    NONE = "none"
    MODERATION = "moderation"
    CARE = "care"


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason for a decision, complete enough for the console to show *why* without recomputing."""

    kind: str
    message: str
    action: Action = Action.FLAG
    rule: str = ""
    term: str = ""
    signal: str = ""
    score: float | None = None
    threshold: float | None = None
    span: Span | None = None


@dataclass(slots=True)
class Decision:
    """The outcome of judging one post under one policy version."""

    action: Action = Action.ALLOW
    queue: Queue = Queue.NONE
    reasons: list[Reason] = field(default_factory=list)
    policy_version: str = ""
    tags: list[str] = field(default_factory=list)
    department: str | None = None

    def add(self, reason: Reason) -> None:
        """Record a reason and keep the strongest action seen so far."""
        self.reasons.append(reason)
        if reason.action.strength > self.action.strength:
            self.action = reason.action
