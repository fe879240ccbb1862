"""`gardien db upgrade`: bring the database schema up to date."""

from __future__ import annotations

import typer

from gardien.cli.common import running
from gardien.store import migrate

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade(
    revision: str = typer.Argument(
        "heads", help="Target revision (default: every branch's latest)."
    ),
) -> None:
    """Apply migrations up to REVISION (the latest of every branch by default)."""
    with running(upgrade=False) as runtime:
        migrate.upgrade(runtime.database, revision)
        typer.echo(f"database at {revision}: {runtime.database.engine.url.render_as_string()}")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
