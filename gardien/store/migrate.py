"""Run Alembic migrations programmatically, and tell whether models and migrations have drifted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from gardien.store.db import Database
from gardien.store.schema import load_all_tables

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database: Database) -> Config:
    """An Alembic config pointing at our migrations folder (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(database: Database, revision: str = "heads") -> None:
    """Bring the schema up to `revision` (by default the latest of every branch)."""
    config = alembic_config(database)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def revision(
    database: Database,
    message: str,
    rev_id: str | None = None,
    head: str = "head",
    branch_label: str | None = None,
) -> None:
    """Autogenerate a new migration from the models into a database migrated to every head
    (a developer's tool). A new area starts its own branch: head="0001", branch_label="care"."""
    load_all_tables()
    config = alembic_config(database)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(
            config,
            message=message,
            autogenerate=True,
            rev_id=rev_id,
            head=head,
            branch_label=branch_label,
            splice=branch_label is not None,
        )


def drift(database: Database) -> list[Any]:
    """Differences between the migrated schema and the models; empty when they agree."""
    metadata = load_all_tables()
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))
