"""The strike ladder: what the n-th strike brings, and which strikes still count after decay."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from gardien.domain.time import ensure_utc
from gardien.policy.schema import StrikeStep, parse_duration


@dataclass(frozen=True, slots=True)
class Sanction:
    """What a member's strike count calls for: warn, mute, suspend or ban, for how long."""

    strike: int
    kind: str
    duration: timedelta | None = None

    def describe(self) -> str:
        """A short text for the decision's reasons, with the duration as the policy wrote it."""
        if self.duration is None:
            return f"strike {self.strike}: {self.kind}"
        hours = self.duration.total_seconds() / 3600
        span = f"{hours:g}h" if hours < 48 else f"{hours / 24:g}d"
        return f"strike {self.strike}: {self.kind} {span}"


def sanction_for(strikes: int, ladder: Sequence[StrikeStep]) -> Sanction | None:
    """The highest step of the ladder that `strikes` reaches (None below the first step)."""
    reached = [step for step in ladder if step.at <= strikes]
    if not reached:
        return None
    step = max(reached, key=lambda item: item.at)
    duration = None if step.duration is None else parse_duration(step.duration)
    return Sanction(strikes, step.sanction, duration)


def active_strikes(given_at: Iterable[datetime], now: datetime, decay: timedelta) -> int:
    """How many strikes still count at `now`: those younger than `decay`."""
    limit = ensure_utc(now) - decay
    return sum(1 for moment in given_at if ensure_utc(moment) > limit)
