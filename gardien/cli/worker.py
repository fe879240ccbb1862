"""`gardien worker` (judge posts and run jobs from the broker), `gardien scheduler` (send the
periodic jobs), `gardien dead-letters` (list what failed for good; send it again)."""

from __future__ import annotations

import logging
import os
import socket

import typer

from gardien.cli.common import echo_table, friendly_errors
from gardien.ops.logs import configure_logging
from gardien.ops.shutdown import graceful
from gardien.settings import Settings
from gardien.store.db import Database


def worker_command(
    threads: int = typer.Option(1, min=1, help="Worker threads (the stages are CPU-bound: 1-2)."),
    pipeline: str = typer.Option(
        "gardien.pipeline.default:default_pipeline", help="module:function building the stages."
    ),
    metrics_port: int = typer.Option(0, help="Serve this process's /metrics on 127.0.0.1:PORT."),
    json_logs: bool | None = typer.Option(None, help="Log JSON lines (default: GARDIEN_LOG_JSON)."),
) -> None:
    """Consume the broker's queues until SIGTERM or Ctrl-C, then finish the work in hand."""
    from gardien.workers.worker import load_pipeline, run_worker  # dramatiq only when asked

    settings = Settings()
    configure_logging(settings.log_json if json_logs is None else json_logs)
    with friendly_errors(), graceful() as stopping:
        run_worker(settings, stopping, threads, load_pipeline(pipeline, settings), metrics_port)


def scheduler_command(
    json_logs: bool | None = typer.Option(None, help="Log JSON lines (default: GARDIEN_LOG_JSON)."),
) -> None:
    """Send each periodic job (sweep, outbox, polling, care checks, reports) when it is due."""
    from gardien.workers.scheduler import Scheduler

    settings = Settings()
    configure_logging(settings.log_json if json_logs is None else json_logs)
    with friendly_errors(), graceful() as stopping:
        Scheduler.from_settings(settings).run(stopping, f"{socket.gethostname()}:{os.getpid()}")


def dead_letters_command(
    retry: int = typer.Option(0, help="Send this dead letter's posts again (after a fix)."),
    limit: int = typer.Option(20, min=1),
    actor: str = typer.Option("user:cli", help="Who asks, for the audit log."),
) -> None:
    """Messages that failed for good, newest first, with the last line of their error."""
    from gardien.workers import deadletters
    from gardien.workers.dispatch import BrokerRunner

    logging.getLogger("pika").setLevel(logging.WARNING)
    settings = Settings()
    database = Database.from_settings(settings)
    try:
        with friendly_errors():
            if retry:
                sender = BrokerRunner.from_settings(settings, database)
                try:
                    posts = deadletters.requeue(database, sender, retry, actor)
                finally:
                    sender.close()
                typer.echo(f"{len(posts)} posts sent again")
                return
            with database.session() as session:
                letters = deadletters.dead_letters(session, limit)
            rows = [
                [
                    str(letter.id),
                    letter.failed_at.isoformat(timespec="seconds"),
                    letter.actor,
                    str(letter.arguments.get("args", ""))[:40],
                    (letter.error.strip().splitlines() or [""])[-1][:80],
                    "requeued" if letter.requeued_at else "",
                ]
                for letter in letters
            ]
            echo_table(rows, ["id", "failed at", "task", "arguments", "error", ""])
    finally:
        database.dispose()


def register(app: typer.Typer) -> None:
    app.command("worker")(worker_command)
    app.command("scheduler")(scheduler_command)
    app.command("dead-letters")(dead_letters_command)
