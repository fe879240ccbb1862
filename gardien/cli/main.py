"""The `gardien` command line: each module in COMMAND_MODULES adds its commands via register(app)."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="gardien",
    help="Gardien, the community keeper: ingest, judge, route, act, report.",
    no_args_is_help=True,
    add_completion=False,
)

#: Modules under gardien.cli that define `register(app: typer.Typer) -> None`.
COMMAND_MODULES: tuple[str, ...] = (
    "db",
    "ingest",
    "serve",
    "demo",
    "train",
    "evaluate",
    "policy",
    "user",
    "listen",
    "member",
    "report",
    "giveaway",
    "inbox",
    "worker",
)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"gardien.cli.{name}").register(app)


_register_all()
