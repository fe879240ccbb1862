"""The SLA clock counts business hours in the community's time zone, across weekends and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from gardien.care.sla import (
    ALWAYS,
    BusinessHours,
    SlaError,
    SlaState,
    SlaTarget,
    add_business_time,
    business_time_between,
    status,
)

PARIS = BusinessHours("Europe/Paris", opens=time(9), closes=time(18))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_friday_evening_complaint_falls_due_on_monday_morning_paris_time() -> None:
    friday_1730_paris = utc(2026, 11, 13, 16, 30)
    due = add_business_time(friday_1730_paris, timedelta(hours=2), PARIS)
    assert due == utc(2026, 11, 16, 9, 30)  # Monday 10:30 in Paris
    assert business_time_between(friday_1730_paris, due, PARIS) == timedelta(hours=2)


def test_a_post_before_opening_starts_counting_at_opening() -> None:
    assert add_business_time(utc(2026, 11, 17, 5, 0), timedelta(minutes=30), PARIS) == utc(
        2026, 11, 17, 8, 30
    )


def test_daylight_saving_change_is_respected() -> None:
    # Paris leaves summer time on 25 October 2026: 09:00 local is 07:00 UTC before, 08:00 after.
    before = add_business_time(utc(2026, 10, 23, 15, 30), timedelta(hours=1), PARIS)
    assert before == utc(2026, 10, 26, 8, 30)


def test_holidays_are_skipped() -> None:
    hours = BusinessHours("Europe/Paris", holidays=frozenset({date(2026, 11, 11)}))
    due = add_business_time(utc(2026, 11, 10, 16, 0), timedelta(hours=2), hours)
    assert due == utc(2026, 11, 12, 9, 0)


def test_round_the_clock_is_plain_time() -> None:
    assert add_business_time(utc(2026, 11, 14, 23, 0), timedelta(hours=2), ALWAYS) == utc(
        2026, 11, 15, 1, 0
    )


def test_warning_before_the_deadline_then_breach() -> None:
    target = SlaTarget(timedelta(hours=1), timedelta(hours=8), warn_before=timedelta(minutes=15))
    due = utc(2026, 11, 10, 12, 0)
    assert status(utc(2026, 11, 10, 11, 30), due, target).state is SlaState.OK
    assert status(utc(2026, 11, 10, 11, 50), due, target).state is SlaState.WARNING
    late = status(utc(2026, 11, 10, 12, 20), due, target)
    assert late.state is SlaState.BREACHED and late.left == -timedelta(minutes=20)
    assert status(utc(2026, 11, 10, 13, 0), due, target, utc(2026, 11, 10, 11, 0)).state is (
        SlaState.MET
    )


def test_an_unknown_time_zone_is_a_clear_error() -> None:
    with pytest.raises(SlaError, match="unknown time zone"):
        add_business_time(utc(2026, 1, 1), timedelta(hours=1), BusinessHours("Mars/Olympus"))
