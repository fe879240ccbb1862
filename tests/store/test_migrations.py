"""Models and migrations must not drift apart; timestamps come back aware, in UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from gardien.store import migrate
from gardien.store.db import Database
from gardien.store.tables import AuditRow


def test_migrations_match_the_models(database: Database) -> None:
    assert migrate.drift(database) == []


def test_datetimes_are_stored_and_read_as_utc(database: Database) -> None:
    paris = timezone(timedelta(hours=2))
    with database.session() as session:
        session.add(
            AuditRow(
                at=datetime(2026, 10, 1, 12, 0, tzinfo=paris),
                actor="rule:x",
                action="hold",
                target="post:1",
            )
        )
    with database.session() as session:
        at = session.scalars(select(AuditRow.at)).one()
    assert at.utcoffset() == timedelta(0)
    assert (at.hour, at.minute) == (10, 0)
