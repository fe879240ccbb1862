"""`gardien member …` as an operator types it: the queue, a person's export, their erasure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gardien.cli.main import app
from tests.factories import post
from tests.members.conftest import World, publish_code, rude


@pytest.fixture
def cli(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    url = world.runtime.database.engine.url.render_as_string(False)
    monkeypatch.setenv("GARDIEN_DATABASE_URL", url)
    monkeypatch.setenv("GARDIEN_DATA_DIR", str(tmp_path))
    return CliRunner()


def test_queue_export_notices_and_erase_from_the_command_line(world: World, cli: CliRunner) -> None:
    publish_code(world)
    world.push(rude("c1", author={"id": "cleo", "handle": "@cleo", "email": "c@example.org"}))
    queue = cli.invoke(app, ["member", "queue", "--community", "velo"])
    assert queue.exit_code == 0, queue.output
    assert "@cleo" in queue.output and "Espèce de connard" in queue.output
    item = world.item_of("c1")["id"]
    world.as_("ana").post(
        f"/api/v1/moderation/items/{item}/actions", {"action": "remove", "rule": "respect"}
    )
    member = world.as_("ana").get("/api/v1/members", community="velo")["items"][0]["id"]

    exported = cli.invoke(app, ["member", "export", str(member)])
    data = json.loads(exported.output)
    assert data["profiles"][0]["extra"] == {"email": "c@example.org"}
    assert data["sanctions"][0]["rule"] == "respect"
    notices = cli.invoke(app, ["member", "notices", "--community", "velo", "--format", "csv"])
    assert notices.output.splitlines()[0].startswith("id,community,member_id")

    erased = cli.invoke(app, ["member", "erase", str(member), "--reason", "ticket 42", "--yes"])
    assert erased.exit_code == 0, erased.output
    assert erased.output.strip() == f"erased member {member}: 1 posts, 1 sanctions, 0 applications"
    after = json.loads(cli.invoke(app, ["member", "export", str(member)]).output)
    assert after["profiles"][0]["extra"] == {} and after["posts"][0]["text"] == "[erased]"
    refreshed = cli.invoke(app, ["member", "refresh", "--community", "velo"])
    assert refreshed.output.strip() == "refreshed 1 members of velo, pruned 0 text shapes"
    missing = cli.invoke(app, ["member", "export", "999"])
    assert missing.exit_code == 2 and "no member 999" in missing.output


def test_scan_checks_members_again_after_a_new_ban(world: World, cli: CliRunner) -> None:
    """Authors are checked when their first post is judged; after a ban, `--all` checks again."""
    publish_code(world)
    spam = "Achetez mes vélos pas chers sur mon site, promo incroyable ce week-end seulement"
    world.push(
        post("b1", spam, author={"id": "t1", "handle": "@Troll_42"}),
        post("n1", spam + " !", author={"id": "t2", "handle": "@troll.2024"}),
    )
    ana = world.as_("ana")
    ids = {m["external_id"]: m["id"] for m in ana.get("/api/v1/members", community="velo")["items"]}
    ana.post(f"/api/v1/members/{ids['t1']}/sanctions", {"kind": "ban", "rule": "spam"})
    new_only = cli.invoke(app, ["member", "scan", "--community", "velo"])
    assert new_only.exit_code == 0 and "checked 0 members of velo: 0 flagged" in new_only.output
    everyone = cli.invoke(app, ["member", "scan", "-c", "velo", "--all"])
    assert "checked 2 members of velo: 1 flagged" in everyone.output, everyone.output
    [flag] = ana.get(f"/api/v1/members/{ids['t2']}")["evasion_flags"]
    assert flag["banned_member_id"] == ids["t1"]
