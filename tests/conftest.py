"""Shared fixtures. Store-backed tests run on SQLite *and* PostgreSQL (a fresh database per run).

PostgreSQL is the machine's server (GARDIEN_TEST_PG_URL, default trust auth on 127.0.0.1:5432);
when it cannot be reached the PostgreSQL tests fail rather than skip, unless
GARDIEN_TEST_BACKENDS=sqlite is set on purpose."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import delete

from gardien.app.runtime import Runtime
from gardien.domain import Channel, Community
from gardien.settings import Settings
from gardien.store import migrate
from gardien.store.communities import ensure_channel, ensure_community
from gardien.store.db import Database, make_engine
from gardien.store.schema import load_all_tables

PG_ADMIN_URL = os.environ.get("GARDIEN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = os.environ.get("GARDIEN_TEST_BACKENDS", "sqlite,postgresql").split(",")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped afterwards."""
    name = f"gardien_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _migrated(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[dict[str, Database]]:
    """One migrated database per backend, shared by the run and emptied between tests."""
    databases: dict[str, Database] = {}
    if "sqlite" in BACKENDS:
        path = tmp_path_factory.mktemp("sqlite") / "gardien.db"
        databases["sqlite"] = Database(make_engine(f"sqlite:///{path}"))
    if "postgresql" in BACKENDS:
        databases["postgresql"] = Database(make_engine(request.getfixturevalue("postgres_url")))
    for database in databases.values():
        migrate.upgrade(database)
    yield databases
    for database in databases.values():
        database.dispose()


def _empty(database: Database) -> None:
    with database.session() as session:
        for table in reversed(load_all_tables().sorted_tables):
            session.execute(delete(table))


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, _migrated: dict[str, Database]) -> Iterator[Database]:
    """An empty, migrated database on each backend in turn."""
    db = _migrated[request.param]
    _empty(db)
    yield db
    _empty(db)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, webhook_secret="test-secret")


@pytest.fixture
def runtime(settings: Settings, database: Database) -> Runtime:
    """A runtime on the test database, with the community 'velo' and its channel 'forum'."""
    with database.session() as session:
        ensure_community(session, Community(slug="velo", name="Vélo", locales=("fr", "en")))
        ensure_channel(
            session,
            Channel(
                name="forum",
                kind="file",
                community="velo",
                settings={"webhook_secret": "forum-secret"},
            ),
        )
    return Runtime.start(settings, database)
