"""`gardien listen` with two local fake platforms: the forum goes down, the Mastodon mentions
keep arriving; after a restart both resume from their cursors, and nothing is stored twice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gardien.actions import outbox
from gardien.app.listen import Listener
from gardien.app.runtime import Runtime
from gardien.cli.main import app
from gardien.domain import OutboundAction, utcnow
from gardien.store.db import Database
from tests.adapters.conftest import add_channel, health_of, posts_of, rejects_of
from tests.adapters.fake_discourse import API_KEY, FakeDiscourse
from tests.adapters.fake_mastodon import TOKEN, FakeMastodon
from tests.adapters.fakes import PAYLOADS, FakeServer, Reply, serving


@pytest.fixture
def cli(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The command line on the test database (as `gardien` would run with GARDIEN_DATABASE_URL)."""
    monkeypatch.setenv(
        "GARDIEN_DATABASE_URL", database.engine.url.render_as_string(hide_password=False)
    )
    monkeypatch.setenv("GARDIEN_DATA_DIR", str(tmp_path))
    return CliRunner()


@pytest.fixture
def two_platforms(runtime: Runtime) -> Iterator[tuple[FakeMastodon, FakeDiscourse, FakeServer]]:
    masto, forum = FakeMastodon(), FakeDiscourse()
    with serving(masto) as masto_server, serving(forum) as forum_server:
        masto.base = masto_server.url
        add_channel(runtime, "masto", "mastodon", base_url=masto_server.url, access_token=TOKEN)
        add_channel(
            runtime,
            "rouleurs",
            "discourse",
            base_url=forum_server.url,
            api_key=API_KEY,
            api_username="gardien",
        )
        yield masto, forum, forum_server


def listen(cli: CliRunner, triage: bool = False) -> str:
    """One cycle of `gardien listen`, as a fresh process would run it (a restart each time)."""
    flags = [] if triage else ["--no-triage"]
    result = cli.invoke(app, ["listen", "--cycles", "1", "--interval", "0", *flags])
    assert result.exit_code == 0, result.output
    return result.output


def test_listening_survives_a_channel_down_and_resumes_both_after_a_restart(
    runtime: Runtime, cli: CliRunner, two_platforms: tuple[FakeMastodon, FakeDiscourse, FakeServer]
) -> None:
    masto, forum, forum_server = two_platforms
    forum_server.fail("GET /posts.json", Reply(502, {"errors": ["Bad gateway"]}), times=100)
    output = listen(cli, triage=True)
    assert "masto: 4 new in 1 pages" in output and "triaged 4 posts" in output
    assert "rouleurs: failing: GET /posts.json → 502" in output
    assert health_of(runtime, "rouleurs").status == "failing"

    masto.add_mention("109400000000000300", "42", "@velorouge et maintenant ?")
    output = listen(cli)  # the forum is still down; Mastodon goes on from its cursor
    assert "masto: 1 new" in output and "rouleurs: failing" in output

    forum_server.faults.clear()  # the forum is back; the listener is restarted
    output = listen(cli)
    assert "masto: 0 new" in output and "rouleurs: 4 new" in output
    masto.add_mention("109400000000000301", "43", "@velorouge encore moi")
    forum.add_post(510, "nouvelle réponse")
    output = listen(cli)  # restarted again: each resumes from its cursor
    assert "masto: 1 new" in output and "rouleurs: 1 new" in output
    assert len(posts_of(runtime, "masto")) == 6 and len(posts_of(runtime, "rouleurs")) == 5
    assert health_of(runtime, "rouleurs").status == "ok"


def test_channels_status_configure_and_import_from_the_command_line(
    runtime: Runtime, cli: CliRunner, two_platforms: tuple[FakeMastodon, FakeDiscourse, FakeServer]
) -> None:
    result = cli.invoke(
        app,
        [
            "channels",
            "configure",
            "masto",
            "--set",
            "page_limit=20",
            "--set",
            "access_token=new-token-123456",
            "--set",
            'sources=["notifications"]',
        ],
    )
    assert result.exit_code == 0, result.output
    assert '"access_token": "***"' in result.output and "new-token-123456" not in result.output
    listen(cli)  # the fake instance no longer accepts that token
    status = cli.invoke(app, ["channels", "status"]).output
    assert "masto" in status and "unauthorized" in status and "new-token" not in status
    assert "last push" in status.splitlines()[0]

    add_channel(runtime, "yt", "youtube", webhook_secret="s")
    export = PAYLOADS / "youtube_comment_threads.json"
    first = cli.invoke(app, ["channels", "import", str(export), "--channel", "yt"])
    again = cli.invoke(app, ["channels", "import", str(export), "--channel", "yt"])
    assert "4 new, 0 unchanged, 0 rejected" in first.output
    assert "0 new, 4 unchanged, 0 rejected" in again.output
    assert len(posts_of(runtime, "yt")) == 4 and rejects_of(runtime, "yt") == []


def test_listening_delivers_channel_actions_and_leaves_alerts_to_their_own_transport(
    runtime: Runtime, two_platforms: tuple[FakeMastodon, FakeDiscourse, FakeServer]
) -> None:
    masto, _, _ = two_platforms
    hooks: list[str] = []
    with serving(lambda request: hooks.append(request.path) or Reply(200, {})) as alerts:
        now = utcnow()
        with runtime.database.session() as session:
            reply = OutboundAction("masto", "reply", "109400000000000101", {"text": "On regarde"})
            alert = OutboundAction(
                "care-alerts", "alert.webhook", f"{alerts.url}/hook", {"kind": "spike"}
            )
            outbox.enqueue(session, "reply:live", reply, now)
            outbox.enqueue(session, "alert:live", alert, now)
        listening = Listener(runtime, 0.0, ("masto",), deliver=True, triage=False)
        report = listening.cycle(now)
        listening.close()
    assert (report.delivered.delivered, report.delivered.dead) == (2, 0)
    assert hooks == ["/hook"] and len(masto.idempotency) == 1
