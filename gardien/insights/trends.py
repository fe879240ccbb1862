"""Week-over-week series and the rule that calls a series "rising".

A series is rising when its latest week holds at least `min_count` items and at least `factor`
times the average of the weeks before it (a theme that did not exist before counts as rising as
soon as it reaches `min_count`). Weeks start on Monday, in UTC."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


def week_of(day: date) -> date:
    """The Monday starting `day`'s week."""
    return day - timedelta(days=day.weekday())


def weeks_between(start: date, end: date) -> list[date]:
    """Every week start from `start`'s week to `end`'s week, inclusive."""
    first, last = week_of(start), week_of(end)
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


@dataclass(frozen=True, slots=True)
class RisingRule:
    factor: float = 2.0
    min_count: int = 5


@dataclass(frozen=True, slots=True)
class Trend:
    weeks: tuple[date, ...]
    counts: tuple[int, ...]
    rising: bool
    #: Latest week over the mean of earlier weeks (None when there were no earlier weeks).
    growth: float | None

    @property
    def latest(self) -> int:
        return self.counts[-1] if self.counts else 0

    @property
    def change(self) -> int:
        """Latest week minus the week before."""
        return self.counts[-1] - self.counts[-2] if len(self.counts) > 1 else self.latest


def trend(days: Iterable[date], weeks: Sequence[date], rule: RisingRule = RisingRule()) -> Trend:
    """Count `days` per week over `weeks` and decide whether the latest week is rising."""
    per_week = Counter(week_of(day) for day in days)
    counts = tuple(per_week.get(week, 0) for week in weeks)
    return trend_of_counts(tuple(weeks), counts, rule)


def trend_of_counts(weeks: tuple[date, ...], counts: tuple[int, ...], rule: RisingRule) -> Trend:
    if not counts:
        return Trend(weeks, counts, False, None)
    latest, earlier = counts[-1], counts[:-1]
    if not earlier:
        return Trend(weeks, counts, False, None)
    mean = sum(earlier) / len(earlier)
    growth = None if mean == 0 else round(latest / mean, 2)
    rising = latest >= rule.min_count and (mean == 0 or latest >= rule.factor * mean)
    return Trend(weeks, counts, rising, growth)
