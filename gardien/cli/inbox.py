"""`gardien inbox`: open care cases ordered by risk and SLA, with the parts of the risk score;
`gardien fires check | list | show | deliver`: the periodic check, alerts, the crisis view."""

from __future__ import annotations

from datetime import datetime

import typer

from gardien.app.care import AlertTransport, check_care, deliver_alerts
from gardien.cli.common import echo_table, running
from gardien.domain import ensure_utc, utcnow
from gardien.store import care_fires, care_inbox

fires_app = typer.Typer(help="Fires: spikes of negative posts, climbing cases, alerts.",
                        no_args_is_help=True)  # fmt: skip
SHORT = {"reach": "reach", "velocity": "vel", "acceleration": "acc", "negativity": "neg",
         "severity": "sev", "echo": "echo"}  # fmt: skip


def _when(value: str | None) -> datetime:
    return ensure_utc(datetime.fromisoformat(value)) if value else utcnow()


def _left(minutes: float | None) -> str:
    if minutes is None:
        return "-"
    sign, minutes = ("-" if minutes < 0 else ""), abs(minutes)
    return f"{sign}{int(minutes // 60)}h{int(minutes % 60):02d}"


def inbox_command(
    community: str | None = typer.Option(None, help="Only this community."),
    department: str | None = typer.Option(None, help="Only cases with this department."),
    limit: int = typer.Option(30, min=1, max=1000),
    now: str | None = typer.Option(None, help="Rank as of this ISO time (default: now)."),
    width: int = typer.Option(60, help="Characters of each post's text to show."),
) -> None:
    """Open cases, highest rank (risk + SLA pressure) first, with the risk score's parts."""
    with running() as runtime, runtime.database.session() as session:
        items = care_inbox.inbox(
            session, _when(now), care_inbox.Scope(), community, department, limit=limit
        )
    if not items:
        typer.echo("no open cases")
        return
    rows = []
    for item in items:
        parts = {part["name"]: part["points"] for part in item.parts}
        rows.append(
            [str(item.id), f"{item.rank:.1f}", f"{item.risk:.1f}",
             " ".join(f"{SHORT[n]}={parts.get(n, 0):.0f}" for n in SHORT),
             item.sla_state, _left(item.sla_minutes_left), item.status, item.department or "-",
             item.author_handle or item.author, item.text.replace("\n", " ")[:width]]
        )  # fmt: skip
    echo_table(rows, ["case", "rank", "risk", "parts (points)", "sla", "left", "status",
                      "department", "author", "text"])  # fmt: skip


@fires_app.command("check")
def check_command(
    community: str | None = typer.Option(None, help="Only this community."),
    now: str | None = typer.Option(None, help="Check as of this ISO time (default: now)."),
) -> None:
    """Run the periodic check once: rescore cases, SLA warnings and breaches, spikes."""
    with running() as runtime:
        report = check_care(runtime.database, _when(now), community)
    typer.echo(
        f"rescored {report.rescored} cases; {len(report.risk_alerts)} risk alerts; "
        f"{report.sla_warnings} SLA warnings, {report.sla_breaches} breaches; "
        f"{len(report.spikes)} new fires, {report.closed} closed"
    )


@fires_app.command("list")
def list_command(
    status: str | None = typer.Option(None, help="open or closed"),
    limit: int = typer.Option(50, min=1, max=1000),
) -> None:
    """Alerts, newest first."""
    with running() as runtime, runtime.database.session() as session:
        alerts = care_fires.list_alerts(session, None, status, limit)
    rows = [
        [str(a.id), a.community, a.kind, a.key, a.status, a.raised_at.isoformat(timespec="minutes"),
         str(a.observed), f"{a.expected:.2f}"]
        for a in alerts
    ]  # fmt: skip
    if not rows:
        typer.echo("no alerts")
        return
    echo_table(rows, ["alert", "community", "kind", "key", "status", "raised", "seen", "expected"])


@fires_app.command("show")
def show_command(alert: int) -> None:
    """The crisis view: an alert and the posts behind it."""
    with running() as runtime, runtime.database.session() as session:
        found = care_fires.crisis(session, alert, None)
    a = found.alert
    typer.echo(
        f"{a.kind} on {a.key} ({a.community}): {a.observed} posts, {a.expected:.2f} expected"
    )
    typer.echo("by channel: " + ", ".join(f"{k} {v}" for k, v in found.by_channel.items()))
    for post in found.posts:
        typer.echo(f"  {post.created_at:%Y-%m-%d %H:%M}  {post.author_handle}: {post.text[:100]}")


@fires_app.command("deliver")
def deliver_command(
    smtp_host: str = typer.Option("127.0.0.1", help="SMTP server for e-mail alerts."),
    smtp_port: int = typer.Option(25),
    mail_from: str = typer.Option("gardien@localhost"),
) -> None:
    """Send queued alerts (webhooks, e-mail); replies wait for their channel adapters."""
    with running() as runtime:
        transport = AlertTransport(smtp_host, smtp_port, mail_from)
        report = deliver_alerts(runtime.database, utcnow(), transport)
    typer.echo(f"delivered {report.delivered}, retrying {report.retried}, dead {report.dead}")


def register(app: typer.Typer) -> None:
    app.command("inbox")(inbox_command)
    app.add_typer(fires_app, name="fires")
