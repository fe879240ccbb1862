"""`gardien giveaway create|commit|enter|close|draw|publish|verify`: a fair giveaway, step by
step, and the check anyone can run on its published document."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from gardien.actions import giveaways as actions
from gardien.actions.insights import Who
from gardien.cli.common import friendly_errors, running
from gardien.insights.giveaway import Eligibility, verify
from gardien.store.insights_animation import access_giveaway, published

giveaway_app = typer.Typer(help="Giveaways with a draw anyone can verify.", no_args_is_help=True)


def _who() -> Who:
    return Who("cli", datetime.now(UTC))


def _step(giveaway_id: int, step: Any) -> Any:
    with running() as runtime, runtime.database.session() as session:
        giveaway = access_giveaway(session, giveaway_id, None)
        return step(session, giveaway)


@giveaway_app.command("create")
def create(
    community: str = typer.Option(...),
    title: str = typer.Option(...),
    closes_at: datetime = typer.Option(..., help="When entries close (ISO 8601, UTC)."),
    winners: int = typer.Option(1),
    prize: str = typer.Option(""),
    member_days: int = typer.Option(0, help="Members for at least this many days."),
    thread: str = typer.Option(None, help="Must have posted in this thread."),
    allow_sanctioned: bool = typer.Option(False, help="Let members under a sanction enter."),
) -> None:
    """Create a giveaway (a draft until its seed is committed)."""
    closes = closes_at if closes_at.tzinfo else closes_at.replace(tzinfo=UTC)
    rules = Eligibility(member_days, thread, not allow_sanctioned)
    with running() as runtime, runtime.database.session() as session:
        row = actions.do_create_giveaway(
            session, _who(), community, title, closes, winners, prize, rules
        )
        typer.echo(f"giveaway {row.id} created; commit its seed before {closes:%Y-%m-%d %H:%M} UTC")


@giveaway_app.command("commit")
def commit(
    giveaway_id: int,
    seed: str = typer.Option(None, help="Your own secret seed (default: a random one)."),
    keep_seed: bool = typer.Option(True, help="Keep the seed on the server until the draw."),
    announce: str = typer.Option(None, help="Channel to publish the commitment on."),
) -> None:
    """Commit to the draw's seed: its sha256 is published before entries close."""
    chosen = _step(
        giveaway_id,
        lambda s, g: (
            actions.do_commit_giveaway(s, _who(), g, seed, keep_seed, announce),
            g.commitment,
        ),
    )
    typer.echo(f"commitment (publish it): sha256 = {chosen[1]}")
    if not keep_seed:
        typer.echo(f"seed (keep it secret until the draw): {chosen[0]}")


@giveaway_app.command("enter")
def enter(giveaway_id: int, handle: str) -> None:
    """Enter the member HANDLE (once per person, eligibility checked)."""
    row = _step(giveaway_id, lambda s, g: actions.do_enter_giveaway(s, _who(), g, handle))
    typer.echo(f"entry {row.n}: {handle}, receipt {row.receipt}")


@giveaway_app.command("close")
def close(giveaway_id: int, announce: str = typer.Option(None)) -> None:
    """Close entries and publish the entries head (the last receipt)."""
    head = _step(giveaway_id, lambda s, g: actions.do_close_giveaway(s, _who(), g, announce))
    typer.echo(f"entries head (publish it): {head}")


@giveaway_app.command("draw")
def draw(
    giveaway_id: int,
    seed: str = typer.Option(None, help="The seed, when it was not kept on the server."),
    announce: str = typer.Option(None),
) -> None:
    """Reveal the seed and draw the winners."""
    document = _step(
        giveaway_id,
        lambda s, g: (actions.do_draw_giveaway(s, _who(), g, seed, announce), published(s, g))[1],
    )
    named = [
        f"{h} ({e})" for h, e in zip(document["winner_handles"], document["drawn"], strict=True)
    ]
    typer.echo(f"seed: {document['seed']}")
    typer.echo("winners: " + (", ".join(named) or "none"))


@giveaway_app.command("publish")
def publish(
    giveaway_id: int, out: Path = typer.Option(None, help="Write here, not to stdout.")
) -> None:
    """The giveaway's public document (JSON): what `verify` checks."""
    document = _step(giveaway_id, published)
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"written: {out}")
    else:
        typer.echo(text)


@giveaway_app.command("verify")
def verify_command(
    file: Path = typer.Argument(None, help="A published document (default: read from the store)."),
    giveaway_id: int = typer.Option(None, "--giveaway", help="Check the stored giveaway instead."),
    commitment: str = typer.Option(None, help="The commitment you saw published."),
    head: str = typer.Option(None, help="The entries head you saw published at close."),
) -> None:
    """Recompute the winners from the published entries and seed; exit 1 if anything is off."""
    with friendly_errors():
        if file is not None:
            document = json.loads(file.read_text(encoding="utf-8"))
        elif giveaway_id is not None:
            document = _step(giveaway_id, published)
        else:
            raise typer.BadParameter("give a FILE or --giveaway ID")
    result = verify(document)
    if commitment and document.get("commitment") != commitment:
        result.fail("the commitment differs from the one you saw published")
    if head and document.get("entries_head") != head:
        result.fail("the entries head differs from the one you saw published")
    typer.echo("recomputed winners: " + (", ".join(result.winners) or "none"))
    for problem in result.problems:
        typer.secho(f"problem: {problem}", fg=typer.colors.RED)
    if not result.ok:
        raise typer.Exit(1)
    typer.echo("ok: the draw checks out")


def register(app: typer.Typer) -> None:
    app.add_typer(giveaway_app, name="giveaway")
