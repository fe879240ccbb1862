"""audit entries carry their community

Revision ID: accounts_0002
Revises: accounts_0001
Create Date: 2026-11-26 09:00:00

The audit log is read by community (managers and moderators see their communities' entries), so
each entry names its community. Entries written before this revision get the community of the
object they name (an item, member, post, case, alert, event, giveaway, application, sanction,
report schedule, community or channel; a role's grant by its detail); entries about users,
tokens and dead letters stay global (NULL, admins only).
"""

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "accounts_0002"
down_revision = "accounts_0001"
branch_labels = None
# The backfill reads the tables of these areas.
depends_on = ("members_0002", "care_0001", "insights_0001")

CHUNK = 5000
#: target prefix -> the query giving (key, community_id) for a set of keys.
BY_ID = {
    "item": "SELECT id, community_id FROM moderation_items WHERE id IN :keys",
    "member": "SELECT id, community_id FROM members WHERE id IN :keys",
    "post": "SELECT p.id, c.community_id FROM posts p JOIN channels c ON c.id = p.channel_id "
    "WHERE p.id IN :keys",
    "case": "SELECT id, community_id FROM cases WHERE id IN :keys",
    "alert": "SELECT id, community_id FROM care_alerts WHERE id IN :keys",
    "event": "SELECT id, community_id FROM insight_events WHERE id IN :keys",
    "giveaway": "SELECT id, community_id FROM giveaways WHERE id IN :keys",
    "report_schedule": "SELECT id, community_id FROM report_schedules WHERE id IN :keys",
    "application": "SELECT id, community_id FROM applications WHERE id IN :keys",
    "sanction": "SELECT id, community_id FROM sanctions WHERE id IN :keys",
}
BY_NAME = {
    "community": "SELECT slug, id FROM communities WHERE slug IN :keys",
    "channel": "SELECT name, community_id FROM channels WHERE name IN :keys",
}


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("community_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_audit_log_community", ["community_id", "id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_log_community_id_communities"),
            "communities",
            ["community_id"],
            ["id"],
        )
    backfill(op.get_bind())


def backfill(bind: sa.engine.Connection) -> None:
    """Give each existing entry the community of the object it names, a chunk at a time."""
    after = 0
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT id, action, target, detail FROM audit_log WHERE id > :after "
                "ORDER BY id LIMIT :chunk"
            ),
            {"after": after, "chunk": CHUNK},
        ).all()
        if not rows:
            return
        after = rows[-1][0]
        found = _communities(bind, rows)
        if found:
            bind.execute(
                sa.text("UPDATE audit_log SET community_id = :community WHERE id = :id"),
                [{"id": entry, "community": community} for entry, community in found.items()],
            )


def _communities(bind: sa.engine.Connection, rows: Sequence[Any]) -> dict[int, int]:
    """entry id -> community id, for the entries of one chunk whose object is known."""
    wanted: dict[str, dict[Any, list[int]]] = defaultdict(lambda: defaultdict(list))
    for entry, action, target, detail in rows:
        kind, _, key = str(target).partition(":")
        if action in ("role.grant", "role.revoke"):
            detail = json.loads(detail) if isinstance(detail, str) else (detail or {})
            if detail.get("community"):
                wanted["community"][str(detail["community"])].append(entry)
        elif kind in BY_ID and key.isdigit():
            wanted[kind][int(key)].append(entry)
        elif kind in BY_NAME and key:
            wanted[kind][key].append(entry)
    found: dict[int, int] = {}
    for kind, entries in wanted.items():
        query = sa.text(BY_ID.get(kind) or BY_NAME[kind]).bindparams(
            sa.bindparam("keys", expanding=True)
        )
        for key, community in bind.execute(query, {"keys": list(entries)}):
            for entry in entries.get(key, []):
                found[entry] = community
    return found


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_audit_log_community_id_communities"), type_="foreignkey"
        )
        batch_op.drop_index("ix_audit_log_community")
        batch_op.drop_column("community_id")
