"""The SLA clock: deadlines counted in business hours, in the community's time zone.

A target of "2 hours" set at 17:30 on a Friday, with hours 09:00–18:00 Monday to Friday in
Europe/Paris, falls due at 10:30 on Monday (Paris time). Daylight-saving changes are handled by
working in local dates and converting each day's opening hours to UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gardien.errors import GardienError

_MAX_DAYS = 800


class SlaError(GardienError):
    """An SLA policy cannot be used (unknown time zone, empty week)."""

    code = "bad_sla"


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """When the clock runs: `always`, or `days` (0 = Monday) from `opens` to `closes` locally."""

    timezone: str = "UTC"
    days: frozenset[int] = frozenset(range(5))
    opens: time = time(9)
    closes: time = time(18)
    always: bool = False
    holidays: frozenset[date] = frozenset()

    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SlaError(f"unknown time zone {self.timezone!r}; use e.g. Europe/Paris") from None

    def check(self) -> None:
        self.zone()
        if not self.always and (not self.days or self.opens >= self.closes):
            raise SlaError("business hours need at least one day and opens before closes")

    def _open_on(self, day: date, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
        if day.weekday() not in self.days or day in self.holidays:
            return None
        opens = datetime.combine(day, self.opens, zone).astimezone(UTC)
        closes = datetime.combine(day, self.closes, zone).astimezone(UTC)
        return opens, closes


ALWAYS = BusinessHours(always=True)


def add_business_time(start: datetime, duration: timedelta, hours: BusinessHours) -> datetime:
    """The moment `duration` of business time after `start`."""
    if hours.always:
        return start + duration
    hours.check()
    zone, left = hours.zone(), duration
    day = start.astimezone(zone).date()
    for _ in range(_MAX_DAYS):
        window = hours._open_on(day, zone)
        if window is not None:
            begin, end = max(window[0], start), window[1]
            if begin < end:
                if begin + left <= end:
                    return begin + left
                left -= end - begin
        day += timedelta(days=1)
    raise SlaError("no business hours in the next two years; check the SLA policy")


def business_time_between(start: datetime, end: datetime, hours: BusinessHours) -> timedelta:
    """Business time from `start` to `end` (negative when `end` is earlier)."""
    if end < start:
        return -business_time_between(end, start, hours)
    if hours.always:
        return end - start
    hours.check()
    zone, total = hours.zone(), timedelta()
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    while day <= last:
        window = hours._open_on(day, zone)
        if window is not None:
            begin, finish = max(window[0], start), min(window[1], end)
            if begin < finish:
                total += finish - begin
        day += timedelta(days=1)
    return total


@dataclass(frozen=True, slots=True)
class SlaTarget:
    """One priority tier's promise: first response and resolution times, and when to warn."""

    first_response: timedelta
    resolution: timedelta
    warn_before: timedelta = timedelta(minutes=15)
    hours: BusinessHours = field(default=ALWAYS)


class SlaState(StrEnum):
    MET = "met"
    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"


@dataclass(frozen=True, slots=True)
class SlaStatus:
    """Where one deadline stands: its state and the business time left (negative once late)."""

    state: SlaState
    due_at: datetime
    left: timedelta


def deadline(opened_at: datetime, allowed: timedelta, hours: BusinessHours) -> datetime:
    return add_business_time(opened_at, allowed, hours)


def status(
    now: datetime,
    due_at: datetime,
    target: SlaTarget,
    done_at: datetime | None = None,
) -> SlaStatus:
    """Met when done in time; else ok, warning (within `warn_before`) or breached."""
    if done_at is not None and done_at <= due_at:
        return SlaStatus(SlaState.MET, due_at, business_time_between(done_at, due_at, target.hours))
    moment = done_at or now
    left = business_time_between(moment, due_at, target.hours)
    if moment >= due_at:
        return SlaStatus(SlaState.BREACHED, due_at, left)
    if left <= target.warn_before:
        return SlaStatus(SlaState.WARNING, due_at, left)
    return SlaStatus(SlaState.OK, due_at, left)
