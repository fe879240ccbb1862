"""Migration accounts_0002 gives the audit entries written before it the community of the object
they name, so that the community-scoped audit log shows a community its whole history."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from alembic import command
from sqlalchemy import text

from gardien.domain import Channel, Community
from gardien.store import migrate
from gardien.store.communities import ensure_channel, ensure_community
from gardien.store.db import Database, make_engine
from gardien.store.tables import AuthorRow, PostRow
from gardien.store.tables_members import MemberRow, ModerationItemRow
from tests.conftest import BACKENDS, PG_ADMIN_URL

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database of its own (this test migrates down and up again)."""
    if request.param == "sqlite":
        database = Database(make_engine(f"sqlite:///{tmp_path / 'old.db'}"))
        yield database
        database.dispose()
        return
    name = f"gardien_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    database = Database(make_engine(f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"))
    yield database
    database.dispose()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_old_entries_get_the_community_of_their_object(fresh: Database) -> None:
    migrate.upgrade(fresh)
    config = migrate.alembic_config(fresh)
    with fresh.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "accounts_0001")
    with fresh.session() as session:
        velo = ensure_community(session, Community(slug="velo", name="Vélo", locales=("fr",)))
        trail = ensure_community(session, Community(slug="trail", name="Trail", locales=("en",)))
        forum = ensure_channel(session, Channel(name="forum", kind="file", community="trail"))
        author = AuthorRow(channel_id=forum.id, external_id="a1", handle="@zoe")
        session.add(author)
        session.flush()
        post = PostRow(
            channel_id=forum.id,
            external_id="p1",
            author_id=author.id,
            text="hi",
            original_text="hi",
            created_at=NOW,
            received_at=NOW,
        )
        member = MemberRow(community_id=trail.id, author_id=author.id, joined_at=NOW)
        session.add_all([post, member])
        session.flush()
        item = ModerationItemRow(
            post_id=post.id, community_id=trail.id, action="hold", severity=1.0, created_at=NOW
        )
        session.add(item)
        session.flush()
        ids = {"velo": velo.id, "trail": trail.id}
        targets = [
            ("item.claim", f"item:{item.id}", {}),
            ("member.warn", f"member:{member.id}", {}),
            ("post.report", f"post:{post.id}", {}),
            ("policy.live", "community:velo", {}),
            ("channel.configure", "channel:forum", {}),
            ("role.grant", "user:ana", {"community": "velo", "role": "moderator"}),
            ("user.create", "user:ana", {}),
            ("item.claim", "item:999999", {}),  # gone: stays global
        ]
        for action, target, detail in targets:
            session.execute(
                text(
                    "INSERT INTO audit_log (at, actor, action, target, reason, policy_version, "
                    "detail) VALUES (:at, 'user:ada', :action, :target, '', '', :detail)"
                ),
                {"at": NOW, "action": action, "target": target, "detail": json.dumps(detail)},
            )
    migrate.upgrade(fresh)
    with fresh.session() as session:
        found = dict(
            session.execute(
                text("SELECT action || ' ' || target, community_id FROM audit_log")
            ).all()
        )
    assert found == {
        f"item.claim item:{item.id}": ids["trail"],
        f"member.warn member:{member.id}": ids["trail"],
        f"post.report post:{post.id}": ids["trail"],
        "policy.live community:velo": ids["velo"],
        "channel.configure channel:forum": ids["trail"],
        "role.grant user:ana": ids["velo"],
        "user.create user:ana": None,
        "item.claim item:999999": None,
    }
    assert migrate.drift(fresh) == []
