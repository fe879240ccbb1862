"""Virality risk: how likely a complaint is to blow up, as a score out of 100 with its parts.

The formula (documented in docs/CARE.md) is a weighted sum of six levels in [0, 1] — reach,
velocity, acceleration, negativity, severity, echo — scaled by the audience (public or private).
Each part carries its raw measure, its level and the points it adds, so the inbox can show why.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

#: Weights of the levels; they sum to 1, so a public post at every level's maximum scores 100.
WEIGHTS = {
    "reach": 0.20,
    "velocity": 0.25,
    "acceleration": 0.15,
    "negativity": 0.15,
    "severity": 0.10,
    "echo": 0.15,
}
#: A private message (a DM) cannot spread by itself: its score is scaled down.
PRIVATE_EXPOSURE = 0.35
#: Engagement is measured over two consecutive windows of this length ending at the last reading.
WINDOW = timedelta(minutes=30)
#: Interactions per minute at which the velocity level reaches 1 − 1/e (about 0.63).
VELOCITY_SCALE = 2.0
#: Gain in interactions per minute, window over window, at which acceleration reaches 0.63.
ACCELERATION_SCALE = 1.0
#: Other authors with the same complaint at which the echo level reaches 0.63.
ECHO_SCALE = 5.0


@dataclass(frozen=True, slots=True)
class EngagementPoint:
    """Engagement counts read at one moment."""

    at: datetime
    likes: int = 0
    replies: int = 0
    shares: int = 0

    @property
    def interactions(self) -> float:
        """Weighted interactions: a reply counts twice a like, a share three times (they spread)."""
        return self.likes + 2.0 * self.replies + 3.0 * self.shares


@dataclass(frozen=True, slots=True)
class RiskInputs:
    """What is known about a post (or a case's posts) when its risk is scored."""

    followers: int
    curve: Sequence[EngagementPoint] = ()
    negativity: float = 0.0
    severity: float = 0.0
    echoes: int = 0
    public: bool = True
    posted_at: datetime | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class RiskPart:
    """One part of the score: its raw measure, its level in [0, 1], and the points it adds."""

    name: str
    measure: float
    unit: str
    level: float
    points: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "measure": round(self.measure, 4),
            "unit": self.unit,
            "level": round(self.level, 4),
            "points": round(self.points, 2),
        }


@dataclass(frozen=True, slots=True)
class Risk:
    """A virality risk score (0–100) and the parts it is the sum of."""

    score: float
    parts: tuple[RiskPart, ...]
    exposure: float

    def part(self, name: str) -> RiskPart:
        return next(part for part in self.parts if part.name == name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 2),
            "exposure": self.exposure,
            "parts": [part.as_dict() for part in self.parts],
        }


def _saturate(value: float, scale: float) -> float:
    """0 at 0, about 0.63 at `scale`, tending to 1: diminishing returns for big numbers."""
    return 1.0 - math.exp(-max(value, 0.0) / scale)


def reach_level(followers: int) -> float:
    """0 up to 100 followers, 0.5 at 10,000, 1 at a million (log scale)."""
    return min(max((math.log10(1 + max(followers, 0)) - 2.0) / 4.0, 0.0), 1.0)


def _interactions_at(curve: Sequence[EngagementPoint], moment: datetime) -> float:
    """Interactions at `moment`, linearly interpolated between readings (held outside them)."""
    if moment <= curve[0].at:
        return curve[0].interactions
    for before, after in itertools.pairwise(curve):
        if moment <= after.at:
            span = (after.at - before.at).total_seconds()
            share = (moment - before.at).total_seconds() / span if span else 1.0
            return before.interactions + share * (after.interactions - before.interactions)
    return curve[-1].interactions


def velocities(
    curve: Sequence[EngagementPoint],
    posted_at: datetime | None = None,
    now: datetime | None = None,
    window: timedelta = WINDOW,
) -> tuple[float, float]:
    """(current, previous) interactions per minute over the two windows ending at the last
    reading no later than `now`; the post starts from zero at `posted_at` when given."""
    points = sorted((p for p in curve if now is None or p.at <= now), key=lambda p: p.at)
    if posted_at is not None and (not points or posted_at < points[0].at):
        points.insert(0, EngagementPoint(posted_at))
    if len(points) < 2:
        return 0.0, 0.0
    end = points[-1].at
    minutes = window.total_seconds() / 60
    at = [_interactions_at(points, end - window * k) for k in range(3)]
    return (at[0] - at[1]) / minutes, (at[1] - at[2]) / minutes


def virality_risk(inputs: RiskInputs) -> Risk:
    """Score `inputs`: 100 × exposure × Σ weight × level (see docs/CARE.md)."""
    current, previous = velocities(inputs.curve, inputs.posted_at, inputs.now)
    gain = current - previous
    measures = {
        "reach": (float(inputs.followers), "followers", reach_level(inputs.followers)),
        "velocity": (current, "interactions/min", _saturate(current, VELOCITY_SCALE)),
        "acceleration": (gain, "interactions/min per 30 min", _saturate(gain, ACCELERATION_SCALE)),
        "negativity": (inputs.negativity, "probability", min(max(inputs.negativity, 0.0), 1.0)),
        "severity": (inputs.severity, "probability", min(max(inputs.severity, 0.0), 1.0)),
        "echo": (float(inputs.echoes), "other authors", _saturate(inputs.echoes, ECHO_SCALE)),
    }
    exposure = 1.0 if inputs.public else PRIVATE_EXPOSURE
    parts = tuple(
        RiskPart(name, measure, unit, level, 100.0 * exposure * WEIGHTS[name] * level)
        for name, (measure, unit, level) in measures.items()
    )
    return Risk(round(sum(part.points for part in parts), 2), parts, exposure)
