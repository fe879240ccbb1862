"""Health and readiness: alive means the process answers; ready means what it depends on answers
too (the database always; the broker and Redis when posts are judged by workers)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import text

from gardien.store.db import Database

#: A named check: returns nothing when fine, raises when not.
Check = tuple[str, Callable[[], None]]


@dataclass(slots=True)
class Readiness:
    ready: bool
    checks: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def database_check(database: Database) -> Check:
    def check() -> None:
        with database.session() as session:
            session.execute(text("SELECT 1"))

    return ("database", check)


def run_checks(checks: list[Check]) -> Readiness:
    """Run every check (each isolated: one failing does not hide the others)."""
    result = Readiness(ready=True)
    for name, check in checks:
        started = time.perf_counter()
        try:
            check()
        except Exception as error:  # any failure of a dependency means "not ready", reported
            result.ready = False
            result.checks[name] = f"{type(error).__name__}: {error}"[:300]
        else:
            result.checks[name] = "ok"
        result.seconds[name] = round(time.perf_counter() - started, 4)
    return result
