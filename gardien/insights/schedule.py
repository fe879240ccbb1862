"""When a weekly report is next due."""

from __future__ import annotations

from datetime import datetime, timedelta


def next_due(after: datetime, weekday: int, hour: int) -> datetime:
    """The first `weekday` (0 = Monday) at `hour`:00 UTC strictly after `after`."""
    start = after.replace(minute=0, second=0, microsecond=0, hour=hour)
    due = start + timedelta(days=(weekday - start.weekday()) % 7)
    return due if due > after else due + timedelta(days=7)
