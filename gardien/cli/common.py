"""What every command shares: settings read once, the runtime, and friendly error exits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from gardien.app.runtime import Runtime
from gardien.errors import GardienError
from gardien.settings import Settings
from gardien.store import migrate


def start(upgrade: bool = True) -> Runtime:
    """The runtime from the environment; the schema is brought up to date first by default."""
    runtime = Runtime.start(Settings())
    if upgrade:
        migrate.upgrade(runtime.database)
    return runtime


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
