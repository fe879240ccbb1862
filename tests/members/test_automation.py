"""What happens when triage judges posts: a decision whose action the policy says earns a strike
gives the author that strike as the rule (once per post, however often it is judged), and a new
author who resembles a banned member is flagged with the evidence."""

from __future__ import annotations

from sqlalchemy import update

from gardien.app.triage import triage_pending
from gardien.store.tables import PostRow
from tests.factories import post
from tests.members.conftest import World, publish_code, rude
from tests.members.test_people import member_ids


def strikes_for_review(world: World) -> None:
    """Camille's policy: every post held or flagged for review earns a strike."""
    camille = world.as_("camille")
    text = camille.get("/api/v1/communities/velo/policy")["text"]
    assert "earned_by: [block]" in text
    text = text.replace("earned_by: [block]", "earned_by: [flag, hold, block]")
    text = text.replace("community: default", "community: velo")
    camille.put("/api/v1/communities/velo/policy", {"text": text, "note": "strikes for review"})


def judge_again(world: World) -> None:
    """Every post judged again (as after a change of classifier or a replay)."""
    with world.runtime.database.session() as session:
        session.execute(update(PostRow).values(triaged_at=None))
    runtime = world.runtime
    triage_pending(runtime.database, runtime.runner, runtime.context())


def test_a_decision_that_earns_a_strike_gives_it_once(world: World) -> None:
    strikes_for_review(world)
    world.push(rude("r1"), post("ok", "Bonne route à tous", author="troll"))
    member = member_ids(world)["forum:troll"]
    ana = world.as_("ana")
    file = ana.get(f"/api/v1/members/{member}")
    [strike] = file["sanctions"]
    assert strike["kind"] == "warn" and strike["strike_number"] == 1
    assert strike["created_by"].startswith("rule:") and strike["evidence"]["text"].startswith(
        "Espèce de connard"
    )
    assert file["active_strikes"] == 1 and len(file["notices"]) == 1
    judge_again(world)
    assert len(ana.get(f"/api/v1/members/{member}")["sanctions"]) == 1
    audit = ana.get(f"/api/v1/members/{member}/audit")
    assert [e["action"] for e in audit if e["actor"] == strike["created_by"]] == ["member.warn"]
    world.push(rude("r2", text="Espèce de connard, encore toi"))
    second = ana.get(f"/api/v1/members/{member}")["sanctions"]
    assert [s["kind"] for s in second] == ["warn", "mute"]  # the ladder's second step


def test_the_default_policy_gives_no_strike_for_a_flag(world: World) -> None:
    world.push(rude("r1"))
    member = member_ids(world)["forum:troll"]
    assert world.as_("ana").get(f"/api/v1/members/{member}")["sanctions"] == []


def test_a_new_author_resembling_a_banned_one_is_flagged(world: World) -> None:
    spam = "Achetez mes vélos pas chers sur mon site, promo incroyable ce week-end seulement"
    banned = {"id": "t1", "handle": "@Troll_42", "email": "troll@example.org"}
    publish_code(world)
    world.push(post("b1", spam, author=banned))
    ana = world.as_("ana")
    ana.post(
        f"/api/v1/members/{member_ids(world)['forum:t1']}/sanctions",
        {"kind": "ban", "rule": "spam", "note": "spam"},
    )
    world.push(
        post("n1", spam + " !", author={"id": "t2", "handle": "@troll.2024"}),
        post("n2", "Bonjour à tous", author={"id": "t3", "handle": "@marie"}),
    )
    ids = member_ids(world)
    [flag] = ana.get(f"/api/v1/members/{ids['forum:t2']}")["evasion_flags"]
    assert flag["banned_member_id"] == ids["forum:t1"] and flag["score"] >= 0.5
    assert {e["hint"] for e in flag["evidence"]} == {"handle", "text"}
    assert ana.get(f"/api/v1/members/{ids['forum:t3']}")["evasion_flags"] == []
    item = world.item_of("n1")  # in the review queue, with the evidence in the author's history
    assert item["action"] == "evasion"
    author = ana.get(f"/api/v1/moderation/items/{item['id']}")["author"]
    assert author["evasion_flags"][0]["banned_member_id"] == ids["forum:t1"]
    audit = ana.get(f"/api/v1/members/{ids['forum:t2']}/audit")
    assert [(e["action"], e["actor"]) for e in audit] == [
        ("member.evasion_flag", "rule:ban-evasion")
    ]
    judge_again(world)  # checked once: no second flag
    assert len(ana.get(f"/api/v1/members/{ids['forum:t2']}")["evasion_flags"]) == 1
