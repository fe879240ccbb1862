"""A moderator decides a ban-evasion flag: confirmed, the member is linked to the banned person
and the ban reaches the new identity on its channel; cleared, the review item the flag opened
leaves the queue. From the member's file (a plain form) or the API; audited in the community."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from gardien.store.tables import OutboxRow
from tests.factories import post
from tests.members.conftest import World, publish_code
from tests.members.test_people import member_ids
from tests.web.conftest import csrf_of, sign_in

SPAM = "Achetez mes vélos pas chers sur mon site, promo incroyable ce week-end seulement"


def flagged(world: World, *newcomers: str) -> dict[str, int]:
    """@Troll_42 banned for spam; each newcomer posts the same text under a look-alike handle
    and is flagged. Member ids by external id."""
    publish_code(world)
    world.push(post("b1", SPAM, author={"id": "t1", "handle": "@Troll_42"}))
    world.as_("ana").post(
        f"/api/v1/members/{member_ids(world)['forum:t1']}/sanctions",
        {"kind": "ban", "rule": "spam", "note": "spam"},
    )
    for n, name in enumerate(newcomers):
        world.push(
            post(f"n{n}", f"{SPAM} {'!' * (n + 1)}", author={"id": name, "handle": "@troll.24"})
        )
    return {key.split(":")[1]: value for key, value in member_ids(world).items()}


def flag_of(world: World, member: int) -> dict[str, Any]:
    [flag] = world.as_("ana").get(f"/api/v1/members/{member}")["evasion_flags"]
    return dict(flag)


def test_clearing_a_flag_from_the_members_file(world: World) -> None:
    ids = flagged(world, "t2")
    flag = flag_of(world, ids["t2"])
    assert flag["status"] == "open" and [i["action"] for i in world.items()] == ["evasion"]
    world.as_("ana")
    sign_in(world.client, "ana")
    page = world.client.get(f"/console/members/{ids['t2']}")
    path = f"/console/members/{ids['t2']}/evasion-flags/{flag['id']}"
    assert page.status_code == 200 and f'action="{path}"' in page.text
    data = {"csrf_token": csrf_of(world.client), "outcome": "cleared", "note": "homonyme"}
    done = world.client.post(path, data=data, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/console/members/{ids['t2']}"
    shown = world.client.get(done.headers["location"]).text
    assert "Evasion flag cleared." in shown and "homonyme" in shown
    cleared = flag_of(world, ids["t2"])
    assert (cleared["status"], cleared["decided_by"]) == ("cleared", "user:ana")
    assert world.items() == []  # the review item the flag opened is closed
    again = world.client.post(path, data=data, follow_redirects=False)
    assert again.status_code == 409 and "already cleared by user:ana" in again.text
    log = world.as_("bruno").get("/api/v1/audit", action="member.evasion_clear")["items"]
    assert [(e["target"], e["community"]) for e in log] == [(f"member:{ids['t2']}", "velo")]
    assert world.as_("tess").get("/api/v1/audit", action="member.evasion_clear")["items"] == []


def test_confirming_a_flag_links_and_bans_the_new_identity(world: World) -> None:
    ids = flagged(world, "t3")
    flag = flag_of(world, ids["t3"])
    path = f"/api/v1/members/evasion-flags/{flag['id']}/decision"
    world.as_("tess").post(path, {"outcome": "confirmed"}, expect=404)
    world.as_("lea").post(path, {"outcome": "confirmed"}, expect=403)
    decided = world.as_("ana").post(path, {"outcome": "confirmed", "note": "même texte"})
    assert decided["status"] == "confirmed" and decided["note"] == "même texte"
    file = world.as_("ana").get(f"/api/v1/members/{ids['t3']}")
    assert file["member_id"] == ids["t1"] and file["standing"] == "banned"
    assert {i["external_id"] for i in file["identities"]} == {"t1", "t3"}
    with world.runtime.database.session() as session:
        bans = session.execute(select(OutboxRow.target).where(OutboxRow.kind == "ban")).scalars()
        assert sorted(bans) == ["t1", "t3"]  # the ban now reaches the new identity
    world.as_("ana").post(path, {"outcome": "cleared"}, expect=409)
    actions = [e["action"] for e in world.as_("ana").get("/api/v1/audit", limit=10)["items"]]
    assert actions[:2] == ["member.evasion_confirm", "member.link"]
