"""`gardien giveaway` from create to verify, and `verify` catching one entry changed after
the commitment; `gardien report` writing a report file; scheduled reports sent over SMTP to a
local server; event reminders queued once."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from typer.testing import CliRunner

from gardien.actions import insights as actions
from gardien.app import reports
from gardien.app.runtime import Runtime
from gardien.cli.main import app as cli
from gardien.store.tables import OutboxRow
from tests.insights.cast import forum_week

run = CliRunner().invoke


@pytest.fixture
def cli_env(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    """The CLI pointed at the test database, with the forum cast's posts in it."""
    monkeypatch.setenv(
        "GARDIEN_DATABASE_URL", runtime.database.engine.url.render_as_string(hide_password=False)
    )
    monkeypatch.setenv("GARDIEN_DATA_DIR", str(runtime.settings.data_dir))
    forum_week(runtime)
    return runtime


def ok(args: list[str]) -> str:
    result = run(cli, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_giveaway_from_create_to_verify_and_a_changed_entry_is_detected(
    cli_env: Runtime, tmp_path: Path
) -> None:
    closes = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S")
    created = ok(
        [
            "giveaway",
            "create",
            "--community",
            "velo",
            "--title",
            "Win a saddle",
            "--closes-at",
            closes,
            "--winners",
            "2",
        ]
    )
    giveaway = created.split()[1]
    commitment = ok(["giveaway", "commit", giveaway]).split("sha256 = ")[1].strip()
    for handle in ("@ana", "@bruno", "@chloe", "@lena_rides"):
        assert "receipt" in ok(["giveaway", "enter", giveaway, handle])
    refused = run(cli, ["giveaway", "enter", giveaway, "@ana"])
    assert refused.exit_code == 2 and "one entry per person" in refused.output
    head = ok(["giveaway", "close", giveaway]).split(": ")[1].strip()
    winners = ok(["giveaway", "draw", giveaway])
    document = tmp_path / "published.json"
    ok(["giveaway", "publish", giveaway, "--out", str(document)])

    checked = ok(["giveaway", "verify", str(document), "--commitment", commitment, "--head", head])
    assert "ok: the draw checks out" in checked
    assert ok(["giveaway", "verify", "--giveaway", giveaway]).endswith("ok: the draw checks out\n")
    assert json.loads(document.read_text())["winner_handles"][0] in winners

    tampered = json.loads(document.read_text())
    tampered["entries"][1]["handle"] = "@mallory"
    document.write_text(json.dumps(tampered))
    caught = run(
        cli, ["giveaway", "verify", str(document), "--commitment", commitment, "--head", head]
    )
    assert caught.exit_code == 1
    assert "entry 2 (@mallory) was changed after it was made" in caught.output


def test_report_command_writes_the_html_report(cli_env: Runtime, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    written = ok(
        ["report", "--community", "velo", "--period", "2026-11-01..2026-11-07", "--out", str(out)]
    )
    assert "6 posts" in written and out.exists()
    assert "Praise vs improvement" in out.read_text()
    bad = run(cli, ["report", "--community", "velo", "--period", "soon"])
    assert bad.exit_code == 2 and "unknown period" in bad.output


def test_backfill_and_the_themes_job_leave_the_stored_themes_served_as_they_are(
    cli_env: Runtime,
) -> None:
    assert "6 posts' facts refreshed" in ok(["report", "backfill", "--community", "velo"])
    assert ok(["report", "themes"]) == "themes recomputed for 0 communities\n"  # unchanged


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(envelope.content)  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_a_weekly_report_is_mailed_when_due_and_then_rescheduled(
    cli_env: Runtime, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    monday = datetime(2026, 11, 9, 7, 0, tzinfo=UTC)
    with cli_env.database.session() as session:
        schedule = actions.do_schedule_report(
            session,
            actions.Who("camille", monday - timedelta(days=1)),
            "velo",
            ["mara@velo.example"],
            0,
            6,
            "html",
        )
        assert schedule.next_due_at == datetime(2026, 11, 9, 6, 0, tzinfo=UTC)
    mailer = reports.Mailer("127.0.0.1", port, "gardien@velo.example")
    assert reports.send_due_reports(cli_env.database, mailer, monday) == 1
    assert reports.send_due_reports(cli_env.database, mailer, monday) == 0
    mail = message_from_bytes(inbox.messages[0])
    assert mail["To"] == "mara@velo.example"
    parts = [part.get_filename() for part in mail.walk() if part.get_filename()]
    assert parts == ["gardien-velo-2026-11-03-2026-11-09.html"]


def test_event_reminders_go_out_once_to_the_channel_and_to_who_is_going(cli_env: Runtime) -> None:
    now = datetime.now(UTC)
    with cli_env.database.session() as session:
        who = actions.Who("camille", now)
        event = actions.do_create_event(
            session,
            who,
            "velo",
            "Night ride Q&A",
            now + timedelta(hours=3),
            now + timedelta(hours=4),
            channel="forum",
        )
        actions.do_rsvp(session, who, event, "@ana", "going")
        actions.do_rsvp(session, who, event, "@bruno", "declined")
        actions.do_record_attendance(session, who, event, "@chloe")
    assert "1 event(s) reminded" in ok(["report", "reminders"])
    assert "0 event(s) reminded" in ok(["report", "reminders"])
    with cli_env.database.session() as session:
        keys = sorted(session.scalars(select(OutboxRow.key)))
    assert len(keys) == 3  # the announcement, Ana (going) and Chloé (came without an RSVP)
    assert keys[0].endswith(":announce")
