"""`gardien demo`: load the demo data into ./gardien-data, judge it, and serve the console."""

from __future__ import annotations

import typer

from gardien.app.demo import load_demo
from gardien.cli.common import running
from gardien.cli.serve import run_server
from gardien.cli.user import echo_demo_logins


def demo_command(
    serve: bool = typer.Option(True, help="Serve the console and API once the demo is loaded."),
) -> None:
    """Load the bundled demo (idempotent), triage it, and serve it."""
    with running() as runtime:
        report = load_demo(runtime)
        for imported in report.imports:
            counts = imported.counts
            typer.echo(
                f"{imported.source}: {counts.new} new posts, {counts.edited} edits, "
                f"{counts.engagement_points} engagement points, {counts.rejected} rejected"
            )
        typer.echo(f"triaged {report.triaged} posts")
        url = f"http://{runtime.settings.host}:{runtime.settings.port}/"
        typer.echo(f"\nGardien demo ({report.manifest.brand.name}) on {url}")
        typer.echo(f"  console: {url}console   API: {url}docs")
        echo_demo_logins(runtime)
        if serve:
            run_server(runtime)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
