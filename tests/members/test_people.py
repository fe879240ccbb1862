"""One person across channels (linked by a moderator or by a verified e-mail, and unlinked),
notices export, and a GDPR export and erasure that keeps the audit trail whole."""

from __future__ import annotations

import csv
import io

from gardien.actions.identities import do_auto_link
from gardien.actions.members import Who
from gardien.domain import Channel, utcnow
from gardien.policy.schema import Strikes
from gardien.store.communities import ensure_channel
from tests.factories import post
from tests.members.conftest import World, publish_code, rude


def add_social(world: World) -> None:
    with world.runtime.database.session() as session:
        ensure_channel(session, Channel(name="social", kind="file", community="velo"))
    world.runtime.refresh()


def member_ids(world: World) -> dict[str, int]:
    members = world.as_("ana").get("/api/v1/members", community="velo")["items"]
    return {f"{m['channel']}:{m['external_id']}": m["id"] for m in members}


def test_linked_identities_share_one_ladder_and_can_be_unlinked(world: World) -> None:
    publish_code(world)
    add_social(world)
    world.push(rude("l1", author="marc"))
    world.push(rude("l2", author="marc_velo"), channel="social")
    ids = member_ids(world)
    forum, social = ids["forum:marc"], ids["social:marc_velo"]
    ana = world.as_("ana")
    ana.post(
        f"/api/v1/moderation/items/{world.item_of('l1')['id']}/actions",
        {"action": "remove", "also": ["warn"], "rule": "respect"},
    )
    link = ana.post(f"/api/v1/members/{forum}/links", {"member_id": social, "reason": "même photo"})
    second = ana.post(
        f"/api/v1/moderation/items/{world.item_of('l2')['id']}/actions",
        {"action": "remove", "also": ["warn"], "rule": "respect"},
    )
    file = ana.get(f"/api/v1/members/{social}")
    assert file["member_id"] == forum and file["active_strikes"] == 2
    assert [s["kind"] for s in file["sanctions"] if s["strike"]] == ["warn", "mute"]
    assert {i["channel"] for i in file["identities"]} == {"forum", "social"}
    assert len(second["sanctions"]) == 2
    ana.post(f"/api/v1/members/links/{link['id']}/undo", {"reason": "homonymes"})
    assert ana.get(f"/api/v1/members/{social}")["member_id"] == social
    assert ana.get(f"/api/v1/members/{forum}")["active_strikes"] == 2  # given to forum's person


def test_a_verified_email_links_identities_automatically(world: World) -> None:
    """Linking happens when the new identity's first post is judged (ingest, then triage)."""
    add_social(world)
    author = {"id": "nina", "handle": "@nina", "email": "Nina@example.org", "verified": True}
    world.push(post("e1", "Bonjour", author=author))
    world.push(
        post("e2", "Salut", author=author | {"id": "nina2", "email": "nina@example.org"}),
        channel="social",
    )
    ids = member_ids(world)
    ana = world.as_("ana")
    assert ana.get(f"/api/v1/members/{ids['forum:nina']}")["member_id"] == ids["social:nina2"]
    audit = ana.get(f"/api/v1/members/{ids['social:nina2']}/audit")
    assert ("member.link", "rule:verified-email") in [(e["action"], e["actor"]) for e in audit]
    with world.runtime.database.session() as session:
        again = do_auto_link(
            session, Who("rule:verified-email", utcnow()), ids["forum:nina"], Strikes()
        )
    assert again == []  # already one person


def test_notices_export_as_json_and_csv(world: World) -> None:
    publish_code(world)
    world.push(rude("n1"))
    world.as_("ana").post(
        f"/api/v1/moderation/items/{world.item_of('n1')['id']}/actions",
        {"action": "hide", "rule": "respect"},
    )
    notices = world.as_("ana").get("/api/v1/notices", community="velo")
    assert [(n["kind"], n["rule"], n["language"]) for n in notices] == [("hide", "respect", "fr")]
    response = world.as_("ana").get("/api/v1/notices", community="velo", format="csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0]["content"] == "Espèce de connard, tu ne connais rien aux vélos"


def test_an_erasure_request_pseudonymises_and_keeps_the_audit_trail(world: World) -> None:
    publish_code(world)
    world.push(rude("g1", author={"id": "gael", "handle": "@gael", "email": "g@example.org"}))
    world.as_("ana").post(
        f"/api/v1/moderation/items/{world.item_of('g1')['id']}/actions",
        {"action": "remove", "also": ["warn"], "rule": "respect", "note": "n"},
    )
    member = member_ids(world)["forum:gael"]
    world.as_("ana").get(f"/api/v1/members/{member}/export", expect=403)
    before = world.as_("ada").get(f"/api/v1/members/{member}/export")
    assert before["profiles"][0]["extra"]["email"] == "g@example.org"
    assert before["posts"][0]["text"].startswith("Espèce de connard")
    trail_before = world.as_("ana").get(f"/api/v1/members/{member}/audit")

    erased = world.as_("ada").post(f"/api/v1/members/{member}/erase", {"reason": "demande RGPD"})
    assert erased["erased"] == {"posts": 1, "sanctions": 2, "applications": 0}
    after = world.as_("ada").get(f"/api/v1/members/{member}/export")
    assert after["profiles"][0]["handle"].startswith("erased-")
    assert after["profiles"][0]["extra"] == {} and after["posts"][0]["text"] == "[erased]"
    assert all(s["evidence"] == {"erased": True} for s in after["sanctions"])
    assert all("connard" not in n["body"] for n in after["notices"])
    trail_after = world.as_("ana").get(f"/api/v1/members/{member}/audit")
    assert trail_after[1:] == trail_before
    assert (trail_after[0]["action"], trail_after[0]["reason"]) == ("member.erase", "demande RGPD")
