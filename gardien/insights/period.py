"""Report periods as people type them: `2026-10-01..2026-10-31`, `7d`, `4w`, `last-week`."""

from __future__ import annotations

import re
from datetime import date, timedelta

from gardien.errors import GardienError
from gardien.insights.trends import week_of


class PeriodError(GardienError):
    code = "bad_period"


def parse_period(text: str, today: date) -> tuple[date, date]:
    """(since, until), both days included; relative periods end `today`."""
    text = text.strip().lower()
    if text == "last-week":
        start = week_of(today) - timedelta(weeks=1)
        return start, start + timedelta(days=6)
    relative = re.fullmatch(r"(\d{1,4})([dw])", text)
    if relative:
        days = int(relative.group(1)) * (7 if relative.group(2) == "w" else 1)
        if days < 1:
            raise PeriodError("a period lasts at least one day")
        return today - timedelta(days=days - 1), today
    parts = text.split("..")
    if len(parts) == 2:
        try:
            since, until = date.fromisoformat(parts[0]), date.fromisoformat(parts[1])
        except ValueError:
            raise PeriodError(f"not a date range: {text!r} (YYYY-MM-DD..YYYY-MM-DD)") from None
        if until < since:
            raise PeriodError("the period ends before it starts")
        return since, until
    raise PeriodError(f"unknown period {text!r}: use 7d, 4w, last-week or YYYY-MM-DD..YYYY-MM-DD")
