"""`gardien member …`: one person's data (export, erase), the notices sent (DSA export), and
the queues at a glance (moderation items, applications)."""

from __future__ import annotations

import csv
import getpass
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import select

from gardien.actions.identities import do_erase_member
from gardien.actions.member_automation import scan_new_members
from gardien.actions.members import Who
from gardien.app.members import refresh_members
from gardien.app.triage import prune_text_shapes
from gardien.cli.common import echo_table, running
from gardien.domain.time import utcnow
from gardien.pipeline.watched_words import policy_for
from gardien.store import members_lists, members_privacy, members_views
from gardien.store.communities import find_community
from gardien.store.tables_members import MemberRow

member_app = typer.Typer(
    help="Members: GDPR export and erasure, notices, queues.", no_args_is_help=True
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


@member_app.command("export")
def export(
    member_id: int = typer.Argument(..., help="Any of the person's member ids."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to FILE instead of stdout."),
) -> None:
    """Print everything held about one person (every linked identity) as JSON."""
    with running() as runtime:
        with runtime.database.session() as session:
            data = members_privacy.export_person(session, member_id, utcnow())
        text = json.dumps(data, default=_plain, ensure_ascii=False, indent=2)
        if out is None:
            typer.echo(text)
        else:
            out.write_text(text + "\n", encoding="utf-8")
            typer.echo(f"wrote {out}")


@member_app.command("erase")
def erase(
    member_id: int = typer.Argument(..., help="Any of the person's member ids."),
    reason: str = typer.Option(..., "--reason", help="Why (e.g. the request's reference)."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Pseudonymise one person's personal data; the audit trail stays whole."""
    if not yes:
        typer.confirm(f"Erase the personal data of member {member_id}?", abort=True)
    with running() as runtime:
        with runtime.database.session() as session:
            counts = do_erase_member(session, Who(_actor(), utcnow()), member_id, reason)
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        typer.echo(f"erased member {member_id}: {summary}")


@member_app.command("notices")
def notices(
    community: str = typer.Option(..., "--community", "-c"),
    format: str = typer.Option("json", "--format", help="json or csv"),
) -> None:
    """Export the statements of reasons sent to members (EU DSA) to stdout."""
    with running() as runtime:
        with runtime.database.session() as session:
            rows = members_lists.notices(
                session, find_community(session, community).id, limit=10**7
            )
        if format == "csv":
            fields = ["id", "community", "member_id", "sanction_id", "kind", "language", "rule"]
            writer = csv.DictWriter(
                sys.stdout, [*fields, "content", "subject", "body", "created_at"]
            )
            writer.writeheader()
            for row in rows:
                writer.writerow({key: row[key] for key in writer.fieldnames})
        else:
            typer.echo(json.dumps(rows, default=_plain, ensure_ascii=False, indent=2))


@member_app.command("queue")
def queue(community: str = typer.Option(..., "--community", "-c")) -> None:
    """Open moderation items, most severe first, with who holds each."""
    with running() as runtime:
        with runtime.database.session() as session:
            find_community(session, community)
            items = members_views.queue(session, [community], limit=100)
        echo_table(
            [
                [
                    str(i["id"]),
                    f"{i['severity']:.2f}",
                    i["post"]["author_handle"],
                    i["claimed_by"] or "",
                    i["post"]["text"][:60],
                ]
                for i in items
            ],
            ["item", "severity", "author", "claimed by", "text"],
        )


@member_app.command("applications")
def applications(
    community: str = typer.Option(..., "--community", "-c"),
    status: str = typer.Option("queued", "--status"),
) -> None:
    """Applications waiting for a person, oldest first, with their screening score."""
    with running() as runtime:
        with runtime.database.session() as session:
            rows = members_lists.applications(
                session, find_community(session, community).id, status
            )
        echo_table(
            [
                [
                    str(a["id"]),
                    a["handle"],
                    f"{a['score']:.2f}",
                    "; ".join(r["message"] for r in a["reasons"]),
                ]
                for a in rows
            ],
            ["id", "handle", "score", "reasons"],
        )


@member_app.command("refresh")
def refresh(community: str = typer.Option(..., "--community", "-c")) -> None:
    """Recompute every member's active strikes (after decay) and trust level, which the
    policy's rules read, and forget the text shapes older than the repeated-text look-back;
    run it daily (e.g. from cron)."""
    with running() as runtime:
        context = runtime.context()
        count = refresh_members(runtime.database, context, community)
        with runtime.database.session() as session:
            community_id = find_community(session, community).id
        pruned = prune_text_shapes(runtime.database, context.history, utcnow(), community_id)
        typer.echo(f"refreshed {count} members of {community}, pruned {pruned} text shapes")


@member_app.command("scan")
def scan(
    community: str = typer.Option(..., "--community", "-c"),
    everyone: bool = typer.Option(
        False, "--all", help="Check every member again (after a new ban), not only new ones."
    ),
) -> None:
    """Ban evasion: compare members not checked yet (triage checks authors as it judges their
    posts) with the banned members, flag resemblances with the evidence, and link identities
    sharing a verified e-mail."""
    with running() as runtime:
        policy = policy_for(runtime.context(), community)
        with runtime.database.session() as session:
            row = find_community(session, community)
            query = select(MemberRow).where(
                MemberRow.community_id == row.id, MemberRow.erased_at.is_(None)
            )
            if not everyone:
                query = query.where(MemberRow.evasion_checked_at.is_(None))
            members = list(session.scalars(query.order_by(MemberRow.id)))
            flags = scan_new_members(session, members, utcnow(), lambda _slug: policy)
        typer.echo(f"checked {len(members)} members of {community}: {len(flags)} flagged")


def register(app: typer.Typer) -> None:
    app.add_typer(member_app, name="member")
