"""Fast multi-row inserts straight through the driver's `executemany`.

The ORM's bulk path costs more per row than the database does; ingest writes tens of thousands
of rows a second, so its hot tables go through here with values converted once, by column type."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import JSON, Table
from sqlalchemy.orm import Session

from gardien.domain.time import ensure_utc
from gardien.store.tables import Base, UtcDateTime

Converter = Callable[[Any], Any]


def _sqlite_time(value: datetime | None) -> str | None:
    """The text form SQLAlchemy's SQLite DateTime reads back: naive UTC with microseconds."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = ensure_utc(value)
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _postgres_time(value: datetime | None) -> datetime | None:
    return None if value is None else ensure_utc(value)


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value) if value else ("{}" if isinstance(value, dict) else "[]")


def _same(value: Any) -> Any:
    return value


def _memo(convert: Converter) -> Converter:
    """Remember the last conversion: a batch shares many values (its arrival time, say)."""
    last: list[Any] = [object(), None]

    def converted(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return converted


def _converter(table: Table, column: str, dialect: str) -> Converter:
    kind = table.c[column].type
    if isinstance(kind, UtcDateTime):
        return _sqlite_time if dialect == "sqlite" else _postgres_time
    if isinstance(kind, JSON):
        return _json
    return _same


def insert_many(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    skip_duplicates: bool = True,
) -> None:
    """Insert `rows` (dicts with the same keys) into `model`'s table in one executemany; rows
    that would break a unique constraint are skipped when `skip_duplicates`."""
    if not rows:
        return
    table = cast(Table, model.__table__)
    connection = session.connection()
    dialect = connection.dialect.name
    columns = list(rows[0])
    convert = [_converter(table, column, dialect) for column in columns]
    mark = "?" if dialect == "sqlite" else "%s"
    statement = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
        + (" ON CONFLICT DO NOTHING" if skip_duplicates else "")
    )
    getter = itemgetter(*columns)
    converting = [(index, _memo(conv)) for index, conv in enumerate(convert) if conv is not _same]
    params: list[Any] = []
    for row in rows:
        values = getter(row)
        if len(columns) == 1:
            values = (values,)
        if converting:
            mutable = list(values)
            for index, conv in converting:
                mutable[index] = conv(mutable[index])
            values = tuple(mutable)
        params.append(values)
    connection.exec_driver_sql(statement, params)
