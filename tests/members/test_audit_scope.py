"""Every members action writes its audit entry in the community of the object it touched, so a
community's moderators read its whole history and another community's moderators none of it."""

from __future__ import annotations

from sqlalchemy import select

from gardien.store.tables import AuditRow, CommunityRow
from tests.factories import post
from tests.members.conftest import World, publish_code, rude
from tests.members.test_people import member_ids

SPAM = "Achetez mes vélos pas chers sur mon site, promo incroyable ce week-end seulement"


def test_members_actions_are_logged_in_their_community(world: World) -> None:
    ana, bruno = world.as_("ana"), world.as_("bruno")
    publish_code(world)  # code.publish
    world.push(post("b1", SPAM, author={"id": "t1", "handle": "@Troll_42"}), rude("r1"))
    ids = member_ids(world)
    ana.post(  # member.ban
        f"/api/v1/members/{ids['forum:t1']}/sanctions", {"kind": "ban", "rule": "spam"}
    )
    world.push(post("n1", SPAM + " !", author={"id": "t2", "handle": "@troll.2024"}))  # flag
    item = world.item_of("r1")["id"]
    ana.post(f"/api/v1/moderation/items/{item}/claim")
    ana.post(f"/api/v1/moderation/items/{item}/release")
    ana.post(  # item.removed, member.warn
        f"/api/v1/moderation/items/{item}/actions",
        {"action": "remove", "also": ["warn"], "rule": "respect"},
    )
    troll = member_ids(world)["forum:troll"]
    sanction = ana.get(f"/api/v1/members/{troll}")["sanctions"][-1]["id"]
    ana.post(f"/api/v1/members/{troll}/appeals", {"sanction_id": sanction, "text": "pardon"})
    appeal = bruno.get("/api/v1/moderation/appeals", community="velo")["items"][0]["id"]
    bruno.post(f"/api/v1/moderation/appeals/{appeal}/decision", {"outcome": "dismissed"})
    world.push(post("ok", "Belle sortie", author="zoe"))
    fine = next(
        p["id"]
        for p in world.as_("lea").get("/api/v1/posts")["items"]
        if p["text"] == "Belle sortie"
    )
    report = world.as_("lea").post(f"/api/v1/posts/{fine}/reports", {"reason": "spam"}, 201)
    ana.post(f"/api/v1/moderation/reports/{report['id']}/dismiss", {"note": "rien"})
    zoe = member_ids(world)["forum:zoe"]
    link = ana.post(f"/api/v1/members/{zoe}/links", {"member_id": troll, "reason": "test"})
    ana.post(f"/api/v1/members/links/{link['id']}/undo", {"reason": "non"})
    body = {"handle": "ines", "email": "ines@example.org", "language": "fr", "answers": {}}
    applied = world.as_(None).post("/api/v1/join/velo", {**body, "accepted_version": 1})
    ana.post(f"/api/v1/applications/{applied['id']}/approve", {"note": "bienvenue"})

    with world.runtime.database.session() as session:
        velo = session.scalars(select(CommunityRow.id).where(CommunityRow.slug == "velo")).one()
        rows = session.execute(select(AuditRow.action, AuditRow.target, AuditRow.community_id))
        logged = [(action, target.split(":")[0], community) for action, target, community in rows]
    scoped = {(action, kind) for action, kind, community in logged if community == velo}
    assert {
        ("code.publish", "community"),
        ("member.ban", "member"),
        ("member.evasion_flag", "member"),
        ("item.claim", "item"),
        ("item.release", "item"),
        ("item.removed", "item"),
        ("member.warn", "member"),
        ("appeal.file", "member"),
        ("appeal.dismissed", "member"),
        ("post.report", "post"),
        ("report.dismiss", "post"),
        ("member.link", "member"),
        ("member.unlink", "member"),
        ("application.submit", "application"),
        ("application.approve", "application"),
        ("role.grant", "user"),
    } <= scoped
    unscoped = {(action, kind) for action, kind, community in logged if community is None}
    assert {kind for _, kind in unscoped} == {"user"}, unscoped  # creating users and tokens

    seen = ana.get("/api/v1/audit", limit=500)["items"]
    assert len(seen) == sum(1 for *_, community in logged if community == velo)
    assert {entry["community"] for entry in seen} == {"velo"}
    elsewhere = world.as_("tess").get("/api/v1/audit", limit=500)["items"]
    assert elsewhere and {entry["community"] for entry in elsewhere} == {"trail"}  # her grant
