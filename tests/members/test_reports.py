"""Reported content: readers report a post, which opens or bumps its moderation item; the
moderator sees who reported what and why, and dismisses unfounded reports (audited)."""

from __future__ import annotations

import json
import time
from typing import Any

from gardien.channels.webhook import sign
from tests.factories import post
from tests.members.conftest import World, publish_code, rude


def post_id(world: World, external_id: str) -> int:
    posts = world.as_("lea").get("/api/v1/posts", community="velo")["items"]
    return int(next(p["id"] for p in posts if p["external_id"] == external_id))


def report(world: World, name: str, pid: int, reason: str = "abuse", expect: int = 201) -> Any:
    return world.as_(name).post(
        f"/api/v1/posts/{pid}/reports", {"reason": reason, "note": f"{name} says so"}, expect
    )


def test_reports_open_an_item_and_several_raise_its_severity(world: World) -> None:
    world.push(post("calm", "Mon vélo fait un bruit bizarre quand je freine", author="paul"))
    assert world.items() == []
    pid = post_id(world, "calm")
    first = report(world, "lea", pid, "spam")
    assert first["item_status"] == "open" and first["item_severity"] == 0.5
    second = report(world, "marc", pid, "harassment")
    assert second["item_id"] == first["item_id"] and second["reports"] == 2
    assert second["item_severity"] == 0.75
    again = report(world, "lea", pid, expect=409)
    assert "already reported" in again["error"]["message"]

    [item] = world.items()
    assert item["action"] == "report" and item["severity"] == 0.75
    assert [(r["reporter"], r["reason"]) for r in item["reports"]] == [
        ("user:lea", "spam"),
        ("user:marc", "harassment"),
    ]
    detail = world.as_("ana").get(f"/api/v1/moderation/items/{item['id']}")
    assert [r["note"] for r in detail["reports"]] == ["lea says so", "marc says so"]


def test_a_report_on_a_flagged_post_bumps_its_item(world: World) -> None:
    world.push(rude("insult"))
    before = world.item_of("insult")
    report(world, "marc", before["post"]["id"])
    after = world.item_of("insult")
    assert after["id"] == before["id"] and after["action"] != "report"
    assert after["severity"] == before["severity"] + 0.25


def test_dismissing_reports_is_audited_and_empties_the_queue(world: World) -> None:
    world.push(post("fine", "Quel beau parcours ce week-end", author="zoe"))
    pid = post_id(world, "fine")
    first, second = report(world, "lea", pid), report(world, "marc", pid)
    ana = world.as_("ana")
    dismissed = ana.post(
        f"/api/v1/moderation/reports/{first['id']}/dismiss", {"note": "nothing wrong"}
    )
    assert dismissed["status"] == "dismissed" and dismissed["dismissed_by"] == "user:ana"
    assert world.items()[0]["severity"] == 0.5
    ana.post(f"/api/v1/moderation/reports/{first['id']}/dismiss", expect=409)
    ana.post(f"/api/v1/moderation/reports/{second['id']}/dismiss", {"note": "fine"})
    assert world.items() == []
    log = world.as_("ada").get("/api/v1/audit", action="report.dismiss")["items"]
    assert [e["reason"] for e in log] == ["fine", "nothing wrong"]
    assert log[0]["detail"]["item_closed"] is True


def test_reports_stay_within_ones_communities(world: World) -> None:
    world.push(post("p", "Bonjour", author="paul"))
    pid = post_id(world, "p")
    world.as_("tess").post(f"/api/v1/posts/{pid}/reports", {"reason": "spam"}, expect=404)
    world.as_(None).post(f"/api/v1/posts/{pid}/reports", {"reason": "spam"}, expect=401)
    created = report(world, "lea", pid)
    world.as_("tess").post(f"/api/v1/moderation/reports/{created['id']}/dismiss", expect=404)
    world.as_("lea").post(f"/api/v1/moderation/reports/{created['id']}/dismiss", expect=403)


def bridge(world: World, body: dict[str, Any], secret: str = "forum-secret") -> Any:
    """A channel bridge relaying a report, signed with the channel's webhook secret."""
    content = json.dumps(body).encode()
    stamp = int(time.time())
    return world.client.post(
        "/api/v1/ingest/forum/reports",
        content=content,
        headers={
            "X-Gardien-Timestamp": str(stamp),
            "X-Gardien-Signature": sign(secret, stamp, content),
        },
    )


def test_a_channel_bridge_relays_reports_signed_and_rate_limited(world: World) -> None:
    world.push(post("b", "Venez sur mon site", author="paul"))
    one = {"post": "b", "reporter": "u1", "reason": "spam", "note": "pub"}
    created = bridge(world, one)
    assert created.status_code == 201, created.text
    assert created.json()["reports"] == 1
    [item] = world.items()
    assert item["reports"][0]["reporter"] == "channel:forum:u1"
    assert bridge(world, one).status_code == 409
    assert bridge(world, one, secret="wrong").status_code == 401
    assert bridge(world, one | {"post": "nope"}).status_code == 404
    for _ in range(8):
        bridge(world, one)
    limited = bridge(world, one)
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    assert bridge(world, one | {"reporter": "u2"}).status_code == 201  # another reporter


def test_the_console_queue_shows_an_items_reports(world: World) -> None:
    world.push(post("seen", "Venez voir ma boutique", author="paul"))
    report(world, "lea", post_id(world, "seen"), "spam")
    token = world.as_("ana").token
    page = world.client.get("/console/queue", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200
    assert "lea says so" in page.text and "user:lea" in page.text


def test_a_report_on_a_handled_post_reopens_its_item(world: World) -> None:
    """Regression: a new report on a post whose item was handled used to change nothing."""
    world.push(post("calm", "Regardez mon site de vélos pas chers", author="paul"))
    pid = post_id(world, "calm")
    first = report(world, "lea", pid, "spam")
    ana = world.as_("ana")
    ana.post(f"/api/v1/moderation/items/{first['item_id']}/actions", {"action": "approve"})
    assert world.items() == []
    answered = ana.get(f"/api/v1/moderation/items/{first['item_id']}")["reports"]
    assert [r["status"] for r in answered] == ["handled"]  # the verdict answered it
    ana.post(f"/api/v1/moderation/reports/{first['id']}/dismiss", expect=409)

    again = report(world, "marc", pid, "harassment")
    assert again["item_id"] == first["item_id"] and again["item_status"] == "open"
    assert again["item_severity"] == 0.5 and again["reports"] == 1
    [item] = world.items()
    assert item["action"] == "report" and item["resolved_by"] is None
    assert [r["reporter"] for r in item["reports"]] == ["user:marc"]
    log = world.as_("ada").get("/api/v1/audit", action="item.reopen")["items"]
    assert [(e["target"], e["community"]) for e in log] == [(f"item:{item['id']}", "velo")]
    assert log[0]["reason"] == "reported after it was approved by user:ana"

    # Dismissing the new report closes the item again; the approval stays in the log.
    ana.post(f"/api/v1/moderation/reports/{again['id']}/dismiss", {"note": "déjà vu"})
    assert world.items() == []


def test_a_report_on_a_removed_post_is_kept_without_reopening(world: World) -> None:
    publish_code(world)
    world.push(rude("insult"))
    item = world.item_of("insult")
    world.as_("ana").post(
        f"/api/v1/moderation/items/{item['id']}/actions", {"action": "remove", "rule": "respect"}
    )
    late = report(world, "marc", item["post"]["id"])
    assert late["item_status"] == "removed" and late["status"] == "handled"
    assert world.items() == []
