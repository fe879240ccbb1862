"""Through the API: a member walks the ladder from a first warning to a ban, each step with a
statement of reasons in French; an appeal decided by another moderator lifts a strike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from gardien.store.tables import OutboxRow
from tests.members.conftest import World, publish_code, rude


def act(world: World, name: str, external_id: str, **verdict: object) -> dict[str, Any]:
    item = world.item_of(external_id)
    return dict(world.as_(name).post(f"/api/v1/moderation/items/{item['id']}/actions", verdict))


def outbox(world: World) -> list[tuple[str, str, str]]:
    with world.runtime.database.session() as session:
        rows = session.scalars(select(OutboxRow).order_by(OutboxRow.id))
        return [(row.kind, row.channel, row.target) for row in rows]


def test_a_member_walks_the_ladder_from_a_warning_to_a_ban(world: World) -> None:
    publish_code(world)
    world.push(*(rude(f"r{n}", text=f"Espèce de connard numéro {n}, va-t'en") for n in range(4)))
    assert len(world.items()) == 4
    for n in range(4):
        outcome = act(
            world,
            "ana",
            f"r{n}",
            action="remove",
            also=["warn"],
            rule="respect",
            note=f"insulte {n}",
        )
        assert outcome["status"] == "removed" and len(outcome["sanctions"]) == 2
    item = world.as_("ana").get("/api/v1/moderation/items", community="velo", status="removed")[
        "items"
    ][0]
    detail = world.as_("ana").get(f"/api/v1/moderation/items/{item['id']}")
    author = detail["author"]
    assert [s["kind"] for s in author["sanctions"] if s["strike"]] == [
        "warn",
        "mute",
        "suspend",
        "ban",
    ]
    assert [s["strike_number"] for s in author["sanctions"] if s["strike"]] == [1, 2, 3, 4]
    assert (author["standing"], author["active_strikes"], author["trust_level"]) == ("banned", 4, 0)
    mute = next(s for s in author["sanctions"] if s["kind"] == "mute")
    assert mute["evidence"]["text"] == "Espèce de connard numéro 1, va-t'en"
    assert mute["ends_at"] is not None and mute["rule"] == "respect"

    file = world.as_("bruno").get(f"/api/v1/members/{author['member_id']}")
    ban_notice = next(n for n in file["notices"] if n["kind"] == "ban")
    assert ban_notice["language"] == "fr"
    assert (
        "un bannissement" in ban_notice["body"]
        and "Règle enfreinte : respect" in ban_notice["body"]
    )
    assert "numéro 3" in ban_notice["body"] and "/appeal/" in ban_notice["body"]

    trail = world.as_("ana").get(f"/api/v1/members/{author['member_id']}/audit")
    steps = [
        (e["action"], e["reason"], e["actor"])
        for e in reversed(trail)
        if e["action"] in ("member.warn", "member.mute", "member.suspend", "member.ban")
    ]
    assert steps == [
        ("member.warn", "respect: insulte 0", "user:ana"),
        ("member.mute", "respect: insulte 1", "user:ana"),
        ("member.suspend", "respect: insulte 2", "user:ana"),
        ("member.ban", "respect: insulte 3", "user:ana"),
    ]
    assert all(e["policy_version"].startswith("velo@") for e in trail)
    sent = outbox(world)
    assert sent.count(("remove", "forum", "r0")) == 1
    assert [k for k, _, target in sent if target == "troll" and k != "notify"] == [
        "mute",
        "suspend",
        "ban",
    ]
    assert sum(1 for k, _, _ in sent if k == "notify") == 8


def test_an_upheld_appeal_lifts_the_strike_and_restores_the_post(world: World) -> None:
    publish_code(world)
    world.push(rude("a1"))
    act(world, "ana", "a1", action="remove", also=["warn"], rule="respect", note="insulte")
    member = world.as_("ana").get("/api/v1/members", community="velo")["items"][0]
    file = world.as_("ana").get(f"/api/v1/members/{member['id']}")
    assert file["active_strikes"] == 1
    warn = next(n for n in file["notices"] if n["kind"] == "warn")
    token = warn["body"].split("/appeal/", 1)[1].split()[0]

    public = world.as_(None)
    filed = public.post(
        "/api/v1/appeals", {"token": token, "text": "C'était une blague entre amis"}
    )
    again = public.post("/api/v1/appeals", {"token": token, "text": "encore"}, expect=409)
    assert "one appeal each" in again["error"]["message"]

    appeal = world.as_("bruno").get("/api/v1/moderation/appeals", community="velo")["items"][0]
    assert appeal["id"] == filed["id"] and appeal["sanction"]["evidence"]["text"].startswith(
        "Espèce"
    )
    own = world.as_("ana").post(
        f"/api/v1/moderation/appeals/{appeal['id']}/decision", {"outcome": "upheld"}, expect=400
    )
    assert "another moderator" in own["error"]["message"]
    decided = world.as_("bruno").post(
        f"/api/v1/moderation/appeals/{appeal['id']}/decision",
        {"outcome": "upheld", "note": "Contexte amical"},
    )
    assert decided["status"] == "upheld" and decided["decided_by"] == "user:bruno"

    file = world.as_("ana").get(f"/api/v1/members/{member['id']}")
    assert file["active_strikes"] == 0 and file["standing"] == "good"
    assert next(s for s in file["sanctions"] if s["kind"] == "warn")["lifted_at"] is not None
    assert any(
        n["kind"] == "appeal_upheld" and "appel accepté" in n["subject"] for n in file["notices"]
    )
    actions = [e["action"] for e in world.as_("ana").get(f"/api/v1/members/{member['id']}/audit")]
    assert actions[:2] == ["appeal.upheld", "appeal.file"]
    assert ("restore", "forum", "a1") not in outbox(
        world
    )  # the warn's appeal lifts the strike only


def test_appealing_the_removal_restores_the_post(world: World) -> None:
    publish_code(world)
    world.push(rude("b1"))
    outcome = act(world, "ana", "b1", action="remove", rule="respect")
    sanction = outcome["sanctions"][0]
    member = world.as_("ana").get("/api/v1/members", community="velo")["items"][0]
    world.as_("ana").post(
        f"/api/v1/members/{member['id']}/appeals",
        {"sanction_id": sanction, "text": "received by e-mail"},
    )
    appeal = world.as_("bruno").get("/api/v1/moderation/appeals", community="velo")["items"][0]
    world.as_("bruno").post(
        f"/api/v1/moderation/appeals/{appeal['id']}/decision", {"outcome": "upheld"}
    )
    assert ("restore", "forum", "b1") in outbox(world)


def test_a_rule_must_be_one_of_the_communitys(world: World) -> None:
    publish_code(world)
    world.push(rude("c1"))
    item = world.item_of("c1")
    refused = world.as_("ana").post(
        f"/api/v1/moderation/items/{item['id']}/actions",
        {"action": "remove", "rule": "rudeness"},
        expect=400,
    )
    assert refused["error"]["message"] == "unknown rule 'rudeness'; choose one of: respect, spam"
    rules = world.as_("ana").get("/api/v1/moderation/rules", community="velo")
    assert rules == [{"id": "respect", "title": "Respect"}, {"id": "spam", "title": "Pas de spam"}]
    assert world.item_of("c1")["status"] == "open"  # nothing changed
