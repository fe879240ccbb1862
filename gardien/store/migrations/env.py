"""Alembic environment: the connection is handed in by gardien.store.migrate, never read here."""

from typing import Any, Literal

from alembic import context

from gardien.store.schema import load_all_tables
from gardien.store.tables import UtcDateTime


def render_item(kind: str, item: Any, autogen_context: Any) -> str | Literal[False]:
    """Write our UTC datetime type as a plain timezone-aware DateTime in migrations."""
    if kind == "type" and isinstance(item, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=load_all_tables(),
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
