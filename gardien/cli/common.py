"""What every command shares: settings read once, the runtime, and friendly error exits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from gardien.app.runtime import Runtime
from gardien.errors import GardienError
from gardien.settings import Settings
from gardien.store import migrate


@contextmanager
def running(upgrade: bool = True) -> Iterator[Runtime]:
    """The runtime from the environment (the schema brought up to date first by default); its
    database connections are closed when the command ends. Gardien's own errors become a
    one-line message and exit code 2."""
    with friendly_errors():
        runtime = Runtime.start(Settings())
        try:
            if upgrade:
                migrate.upgrade(runtime.database)
            yield runtime
        finally:
            runtime.database.dispose()


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Turn Gardien's own errors into a one-line message and exit code 2, not a traceback."""
    try:
        yield
    except GardienError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None


def echo_table(rows: list[list[str]], header: list[str]) -> None:
    """Print rows as aligned columns."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    for row in [header, *rows]:
        typer.echo(
            "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        )


def start(upgrade: bool = True) -> Runtime:
    """The runtime from the environment, schema up to date; prefer `running()`, which also
    closes the database connections when the command ends."""
    runtime = Runtime.start(Settings())
    if upgrade:
        migrate.upgrade(runtime.database)
    return runtime
