"""`gardien import`, `gardien rejects list`, `gardien channel add`, `gardien triage`."""

from __future__ import annotations

from pathlib import Path

import typer
from tqdm import tqdm

from gardien.app.triage import triage_pending
from gardien.channels.file_import import import_file
from gardien.cli.common import echo_table, running
from gardien.domain import Channel, Community
from gardien.store import queries
from gardien.store.communities import ensure_channel, ensure_community

rejects_app = typer.Typer(help="Records that could not be ingested.", no_args_is_help=True)
channel_app = typer.Typer(help="Channels posts come from.", no_args_is_help=True)


def import_command(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="A .jsonl or .csv file (.gz ok)."
    ),
    channel: str = typer.Option(..., "--channel", "-c", help="The channel the posts come from."),
    triage: bool = typer.Option(True, help="Judge the new posts right after the import."),
) -> None:
    """Import posts from FILE; re-importing never duplicates; bad lines go to the rejects table."""
    with running() as runtime:
        with tqdm(
            total=file.stat().st_size, unit="B", unit_scale=True, desc="import", disable=None
        ) as bar:
            report = import_file(
                runtime.database,
                file,
                channel,
                runtime.limits,
                progress=lambda _line, done: bar.update(done - bar.n),
            )
        counts = report.counts
        typer.echo(
            f"{report.lines} lines: {counts.new} new, {counts.edited} edited, "
            f"{counts.unchanged} unchanged, {counts.engagement_points} engagement points, "
            f"{counts.rejected} rejected"
        )
        for line_no, reason in report.rejects[:20]:
            typer.echo(f"  line {line_no}: {reason}")
        if len(report.rejects) > 20:
            typer.echo(f"  … and {len(report.rejects) - 20} more (gardien rejects list)")
        if triage:
            judged = triage_pending(
                runtime.database,
                runtime.runner,
                runtime.context(),
                runtime.settings.triage_batch_size,
            )
            typer.echo(f"triaged {judged.judged} posts")


def triage_command() -> None:
    """Judge every post not judged yet, in batches."""
    with running() as runtime:
        with tqdm(unit="posts", desc="triage", disable=None) as bar:
            report = triage_pending(
                runtime.database,
                runtime.runner,
                runtime.context(),
                runtime.settings.triage_batch_size,
                progress=lambda done: bar.update(done - bar.n),
            )
        typer.echo(f"triaged {report.judged} posts in {report.batches} batches")


@rejects_app.command("list")
def list_rejects(
    channel: str | None = typer.Option(None, help="Only this channel."),
    limit: int = typer.Option(100, min=1),
) -> None:
    """Rejected records with their source, line number and reason."""
    with running() as runtime:
        with runtime.database.session() as session:
            views = queries.list_rejects(session, channel, limit)
        if not views:
            typer.echo("no rejects")
            return
        echo_table(
            [[v.channel, str(v.line_no), v.reason[:80], v.source[-50:]] for v in views],
            ["channel", "line", "reason", "source"],
        )


@channel_app.command("add")
def add_channel(
    name: str,
    community: str = typer.Option(..., help="Community slug (created if missing)."),
    kind: str = typer.Option("file", help="file, webhook, mastodon, discourse, rss …"),
    secret: str = typer.Option(
        "", help="Webhook HMAC secret for this channel.", envvar="GARDIEN_CHANNEL_SECRET"
    ),
    locale: list[str] = typer.Option(["en"], help="The community's languages, main one first."),
) -> None:
    """Create (or update) a channel and its community."""
    with running() as runtime:
        with runtime.database.session() as session:
            ensure_community(
                session, Community(slug=community, name=community, locales=tuple(locale))
            )
            settings = {"webhook_secret": secret} if secret else {}
            ensure_channel(
                session, Channel(name=name, kind=kind, community=community, settings=settings)
            )
        typer.echo(f"channel {name} → community {community}")


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.command("triage")(triage_command)
    app.add_typer(rejects_app, name="rejects")
    app.add_typer(channel_app, name="channel")
