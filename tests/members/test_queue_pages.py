"""The console's gatekeeping pages: a moderator works the applications queue (approve, reject
with a reason) and decides appeals (not of their own sanctions); forms carry the CSRF token."""

from __future__ import annotations

from typing import Any

from tests.factories import post
from tests.members.conftest import World, publish_code, rude


def page(world: World, name: str, path: str) -> Any:
    token = world.as_(name).token
    return world.client.get(path, headers={"Authorization": f"Bearer {token}"})


def form(world: World, name: str, path: str, data: dict[str, str]) -> Any:
    token = world.as_(name).token
    return world.client.post(
        path, data=data, headers={"Authorization": f"Bearer {token}"}, follow_redirects=False
    )


def apply(world: World, handle: str) -> int:
    body = {
        "handle": handle,
        "email": f"{handle}@example.org",
        "language": "fr",
        "answers": {},
        "accepted_version": 1,
    }
    return int(world.as_(None).post("/api/v1/join/velo", body)["id"])


def test_a_moderator_approves_and_rejects_applications_from_the_console(world: World) -> None:
    publish_code(world)
    ines, spam = apply(world, "ines"), apply(world, "promo_bot")
    listing = page(world, "ana", "/console/applications")
    assert listing.status_code == 200
    assert f"/console/applications/{ines}" in listing.text and "promo_bot" in listing.text
    assert 'href="/console/applications"' in listing.text  # the nav link
    one = page(world, "ana", f"/console/applications/{ines}")
    assert one.status_code == 200 and 'name="csrf_token"' in one.text

    done = form(world, "ana", f"/console/applications/{ines}/decision", {"outcome": "approve"})
    assert done.status_code == 303 and done.headers["location"].endswith("community=velo")
    missing = form(world, "ana", f"/console/applications/{spam}/decision", {"outcome": "reject"})
    assert missing.status_code == 400 and "give the reason" in missing.text
    form(
        world,
        "ana",
        f"/console/applications/{spam}/decision",
        {"outcome": "reject", "reason": "pas de publicité"},
    )
    late = form(world, "bruno", f"/console/applications/{spam}/decision", {"outcome": "approve"})
    assert late.status_code == 409 and "already rejected by user:ana" in late.text
    decided = world.as_("camille").get("/api/v1/applications", community="velo", status="")
    assert [(a["handle"], a["status"]) for a in decided["items"]] == [
        ("ines", "approved"),
        ("promo_bot", "rejected"),
    ]
    assert page(world, "tess", f"/console/applications/{ines}").status_code == 404
    assert page(world, "lea", "/console/applications").status_code == 403


def test_another_moderator_decides_an_appeal_from_the_console(world: World) -> None:
    publish_code(world)
    world.push(rude("p1"))
    world.as_("ana").post(
        f"/api/v1/moderation/items/{world.item_of('p1')['id']}/actions",
        {"action": "remove", "rule": "respect", "also": ["warn"]},
    )
    member = world.as_("ana").get("/api/v1/members", community="velo")["items"][0]["id"]
    sanction = world.as_("ana").get(f"/api/v1/members/{member}")["sanctions"][-1]
    world.as_("ana").post(
        f"/api/v1/members/{member}/appeals",
        {"sanction_id": sanction["id"], "text": "C'était une blague"},
    )
    listing = page(world, "bruno", "/console/appeals")
    assert listing.status_code == 200 and "C&#39;était une blague" in listing.text
    appeal = world.as_("bruno").get("/api/v1/moderation/appeals", community="velo")["items"][0]
    path = f"/console/appeals/{appeal['id']}"
    assert "another moderator must decide" in page(world, "ana", path).text
    own = form(world, "ana", f"{path}/decision", {"outcome": "upheld"})
    assert own.status_code == 400 and "another moderator must decide" in own.text
    shown = page(world, "bruno", path)
    assert shown.status_code == 200 and "Espèce de connard" in shown.text
    done = form(world, "bruno", f"{path}/decision", {"outcome": "upheld", "note": "d'accord"})
    assert done.status_code == 303
    file = world.as_("ana").get(f"/api/v1/members/{member}")
    assert file["appeals"][0]["status"] == "upheld" and file["active_strikes"] == 0
    assert page(world, "tess", path).status_code == 404


def test_a_moderator_dismisses_reports_from_the_console(world: World) -> None:
    world.push(post("fine", "Quel beau parcours ce week-end", author="zoe"))
    posts = world.as_("lea").get("/api/v1/posts", community="velo")["items"]
    pid = next(p["id"] for p in posts if p["external_id"] == "fine")
    created = world.as_("lea").post(
        f"/api/v1/posts/{pid}/reports", {"reason": "spam", "note": "bizarre"}, expect=201
    )
    listing = page(world, "ana", "/console/reports")
    assert listing.status_code == 200
    assert "Quel beau parcours" in listing.text and "spam: bizarre" in listing.text
    path = f"/console/reports/{created['id']}/dismiss"
    assert form(world, "tess", path, {"note": "x"}).status_code == 404
    done = form(world, "ana", path, {"note": "rien à signaler"})
    assert done.status_code == 303 and done.headers["location"].endswith("community=velo")
    again = form(world, "ana", path, {})
    assert again.status_code == 409 and "already dismissed by user:ana" in again.text
    assert "No open report." in page(world, "ana", "/console/reports").text
    assert world.items() == []
