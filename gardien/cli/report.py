"""`gardien report`: the marketing report as HTML or PDF, the community's catalogue, the facts
behind the dashboards, weekly e-mail schedules, and event reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer
import yaml

from gardien.actions import insights as actions
from gardien.app import reports
from gardien.cli.common import running
from gardien.insights.catalogue import CatalogueError, parse_catalogue
from gardien.insights.period import parse_period
from gardien.store.insights_facts import backfill_facts

report_app = typer.Typer(
    help="Marketing reports (run with --community to export one), catalogue, schedules.",
    invoke_without_command=True,
)


def _who() -> actions.Who:
    return actions.Who("cli", datetime.now(UTC))


@report_app.callback()
def export(
    ctx: typer.Context,
    community: str = typer.Option(None, help="The community to report on."),
    period: str = typer.Option(
        "", help="7d, 4w, last-week or YYYY-MM-DD..YYYY-MM-DD (default: the last 4 weeks of posts)."
    ),
    format: str = typer.Option("html", help="html or pdf."),
    out: Path = typer.Option(
        None, help="Where to write it (default: gardien-<community>-<period>.<format>)."
    ),
    channel: str = typer.Option(None, help="Only this channel."),
    language: str = typer.Option(None, help="Only this language."),
    base_url: str = typer.Option("", help="The console's address, so links to posts work."),
) -> None:
    """Write the report of COMMUNITY for PERIOD as an HTML or PDF file."""
    if ctx.invoked_subcommand is not None:
        return
    if community is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    if format not in ("html", "pdf"):
        raise typer.BadParameter("html or pdf", param_hint="--format")
    with running() as runtime:
        if period:
            since, until = parse_period(period, datetime.now(UTC).date())
        else:
            since, until = reports.default_period(runtime.database, community)
        report = reports.build_report(runtime.database, community, since, until, channel, language)
        target = out or Path(f"gardien-{community}-{since}-{until}.{format}")
        if format == "pdf":
            target.write_bytes(reports.render_pdf(report, base_url))
        else:
            target.write_text(reports.render_html(report, base_url), encoding="utf-8")
    for line in report.summary:
        typer.echo(line)
    typer.echo(f"written: {target}")


@report_app.command("catalogue")
def catalogue(
    file: Path = typer.Argument(..., help="YAML: products, aspects, brand_accounts, funnel."),
    community: str = typer.Option(..., help="The community it describes."),
) -> None:
    """Set the community's product catalogue from FILE and re-match its stored posts."""
    with running() as runtime:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise CatalogueError(f"cannot read {file}: {error}") from None
        parsed = parse_catalogue(data)
        with runtime.database.session() as session:
            actions.do_set_catalogue(session, _who(), community, parsed)
        done = backfill_facts(runtime.database, community)
        reports.refresh_funnels(runtime.database, community)
    typer.echo(
        f"{community}: {len(parsed.products)} products, {len(parsed.aspects)} aspects, "
        f"{len(parsed.brand_accounts)} brand accounts; {done} posts' facts refreshed"
    )


@report_app.command("backfill")
def backfill(community: str = typer.Option(None, help="Only this community.")) -> None:
    """Recompute the dashboards' per-post facts from the stored judgements, recount the daily
    summary, then the funnel and the themes."""
    with running() as runtime:
        done = backfill_facts(runtime.database, community)
        cells = reports.recount_daily(runtime.database, community)
        placed = reports.refresh_funnels(runtime.database, community)
        reports.refresh_themes(runtime.database, community)
    typer.echo(
        f"{done} posts' facts refreshed ({cells} daily summary cells); "
        f"{placed} members placed in the funnel"
    )


@report_app.command("themes")
def themes(community: str = typer.Option(None, help="Only this community.")) -> None:
    """The batch job behind the dashboards' themes: cluster each community's last 28 days of
    posts when they changed and store the result (pages serve what is stored)."""
    with running() as runtime:
        done = reports.refresh_themes(runtime.database, community)
    typer.echo(f"themes recomputed for {done} communities")


@report_app.command("schedule")
def schedule(
    community: str = typer.Option(...),
    to: list[str] = typer.Option(..., help="A recipient's e-mail address (repeat for more)."),
    weekday: int = typer.Option(0, help="0 = Monday … 6 = Sunday."),
    hour: int = typer.Option(8, help="Hour of the day, UTC."),
    format: str = typer.Option("pdf", help="html or pdf attachment."),
) -> None:
    """E-mail COMMUNITY's report of the past week every week."""
    with running() as runtime, runtime.database.session() as session:
        row = actions.do_schedule_report(session, _who(), community, to, weekday, hour, format)
        typer.echo(f"schedule {row.id}: next report {row.next_due_at:%Y-%m-%d %H:%M} UTC")


@report_app.command("send-due")
def send_due(
    smtp_host: str = typer.Option("127.0.0.1", envvar="GARDIEN_SMTP_HOST"),
    smtp_port: int = typer.Option(25, envvar="GARDIEN_SMTP_PORT"),
    mail_from: str = typer.Option("gardien@localhost", envvar="GARDIEN_MAIL_FROM"),
) -> None:
    """Send every scheduled report that is due (run it from cron, e.g. hourly)."""
    mailer = reports.Mailer(smtp_host, smtp_port, mail_from)
    with running() as runtime:
        sent = reports.send_due_reports(runtime.database, mailer, datetime.now(UTC))
    typer.echo(f"{sent} report(s) sent")


@report_app.command("reminders")
def reminders(
    hours: int = typer.Option(24, help="Remind events starting within this many hours."),
) -> None:
    """Queue reminders (channel post + messages to who is going) for upcoming events."""
    with running() as runtime, runtime.database.session() as session:
        count = actions.do_queue_event_reminders(session, _who(), timedelta(hours=hours))
    typer.echo(f"{count} event(s) reminded")


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
