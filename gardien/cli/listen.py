"""`gardien listen` (poll every channel, judge, deliver actions) and `gardien channels …`
(status, configure, reset, import a platform export, deliver the outbox once)."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from types import FrameType
from typing import Any

import typer

from gardien.actions import outbox
from gardien.actions.channels import do_configure_channel, do_reset_cursor
from gardien.app.care import AlertTransport, care_deliverer
from gardien.app.listen import CycleReport, Listener
from gardien.channels import state
from gardien.channels.dispatch import Dispatcher
from gardien.channels.exports import import_export
from gardien.cli.common import echo_table, running
from gardien.domain import utcnow

channels_app = typer.Typer(
    help="Channel adapters: health, settings, exports.", no_args_is_help=True
)


def listen_command(
    channel: list[str] = typer.Option([], "--channel", "-c", help="Only these channels."),
    interval: float = typer.Option(60.0, min=0, help="Seconds between polls of a channel."),
    cycles: int = typer.Option(0, min=0, help="Stop after this many cycles (0: run until Ctrl-C)."),
    deliver: bool = typer.Option(True, help="Also deliver the outbox's due actions."),
    triage: bool = typer.Option(True, help="Judge new posts as they arrive."),
) -> None:
    """Listen to every enabled channel: pull on a schedule, store, judge, act. A failing channel
    is set aside and retried later; each channel resumes from its cursor after a restart."""
    with running() as runtime:
        listener = Listener(runtime, interval, tuple(channel), deliver=deliver, triage=triage)
        done = {"cycles": 0, "stop": False}

        def stop_on_signal(_signum: int, _frame: FrameType | None) -> None:
            done["stop"] = True

        previous = signal.signal(signal.SIGINT, stop_on_signal)

        def report(cycle: CycleReport) -> None:
            done["cycles"] += 1
            for poll in cycle.polls:
                line = f"{poll.channel}: {poll.new} new in {poll.pages} pages"
                if poll.rejected:
                    line += f", {poll.rejected} rejected"
                if poll.error:
                    line = f"{poll.channel}: {poll.status}: {poll.error}"
                typer.echo(line)
            if cycle.triaged:
                typer.echo(f"triaged {cycle.triaged} posts")
            sent = cycle.delivered
            if sent.delivered or sent.retried or sent.dead:
                typer.echo(
                    f"outbox: {sent.delivered} done, {sent.retried} to retry, {sent.dead} dead"
                )

        def stop() -> bool:
            return bool(done["stop"]) or (cycles > 0 and done["cycles"] >= cycles)

        try:
            listener.run(stop, time.sleep, report)
        finally:
            signal.signal(signal.SIGINT, previous)


@channels_app.command("status")
def status_command(name: str = typer.Argument(None, help="One channel (default: all).")) -> None:
    """Each channel's health: status, last poll, last webhook push, posts seen, last error."""
    with running() as runtime:
        with runtime.database.session() as session:
            views = state.health(session, name)
        echo_table(
            [
                [
                    v.name,
                    v.kind,
                    v.status,
                    v.last_poll_at.isoformat(timespec="seconds") if v.last_poll_at else "-",
                    v.last_event_at.isoformat(timespec="seconds") if v.last_event_at else "-",
                    str(v.items_seen),
                    v.last_error[:70],
                ]
                for v in views
            ],
            ["channel", "kind", "status", "last poll", "last push", "seen", "last error"],
        )


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


@channels_app.command("configure")
def configure_command(
    name: str,
    set_: list[str] = typer.Option([], "--set", help="KEY=VALUE (JSON values allowed)."),
    unset: list[str] = typer.Option([], "--unset", help="A setting to remove."),
    actor: str = typer.Option("user:cli", help="Who makes the change, for the audit log."),
) -> None:
    """Change a channel's settings (base_url, tokens, keywords …); credentials are never shown."""
    changes = {}
    for item in set_:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint="--set")
        changes[key.strip()] = _value(value)
    with running() as runtime:
        with runtime.database.session() as session:
            shown = do_configure_channel(session, name, actor, utcnow(), changes, tuple(unset))
        typer.echo(json.dumps(shown, ensure_ascii=False, sort_keys=True))


@channels_app.command("reset")
def reset_command(name: str, actor: str = typer.Option("user:cli")) -> None:
    """Start listening to a channel over (its cursor forgotten; nothing is duplicated)."""
    with running() as runtime:
        with runtime.database.session() as session:
            do_reset_cursor(session, name, actor, utcnow())
        typer.echo(f"{name}: cursor reset")


@channels_app.command("import")
def import_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False),
    channel: str = typer.Option(
        ..., "--channel", "-c", help="A twitter/facebook/instagram/youtube/reddit channel."
    ),
) -> None:
    """Import a platform's own JSON export (API responses, as documented) into a channel."""
    with running() as runtime:
        report = import_export(runtime.database, channel, file, runtime.limits)
        counts = report.counts
        typer.echo(f"{counts.new} new, {counts.unchanged} unchanged, {counts.rejected} rejected")
        for line_no, reason in report.rejects[:20]:
            typer.echo(f"  item {line_no}: {reason}")


@channels_app.command("deliver")
def deliver_command() -> None:
    """Deliver the outbox's due actions once, through each channel's adapter."""
    with running() as runtime:
        dispatcher = Dispatcher(runtime.database)
        try:
            deliver = care_deliverer(AlertTransport(), dispatcher)  # alerts their own way
            sent = outbox.deliver_due(runtime.database, deliver, utcnow())
        finally:
            dispatcher.close()
        typer.echo(f"{sent.delivered} done, {sent.retried} to retry, {sent.dead} dead")


def register(app: typer.Typer) -> None:
    app.command("listen")(listen_command)
    app.add_typer(channels_app, name="channels")
