"""Applications through the API: the public form, screening with reasons, approval from the
queue into membership (welcome in the applicant's language), automatic rejection of spam,
copied answers, and an applicant who resembles a banned member."""

from __future__ import annotations

from typing import Any

from tests.members.conftest import World, publish_code, rude

FORM = {
    "questions": [
        {"id": "why", "label": {"en": "Why join?", "fr": "Pourquoi nous rejoindre ?"}},
        {"id": "bike", "label": {"en": "Your bike?", "fr": "Votre vélo ?"}},
    ],
    "approve_below": 0.0,
    "reject_from": 0.8,
}


def application(**fields: Any) -> dict[str, Any]:
    body = {
        "handle": "lea",
        "email": "lea@example.org",
        "language": "fr",
        "answers": {"why": "J'aime rouler en montagne le week-end", "bike": "Un vieux randonneur"},
        "accepted_version": 1,
    }
    return body | fields


def test_an_applicant_goes_from_application_to_approval(world: World) -> None:
    camille, public = world.as_("camille"), world.as_(None)
    public.post("/api/v1/join/velo", application(), expect=400)  # no code of conduct yet
    publish_code(world)
    camille.put("/api/v1/communities/velo/application-form", FORM)
    form = public.get("/api/v1/join/velo", language="fr")
    assert form["code_of_conduct"]["version"] == 1 and form["questions"][0]["id"] == "why"
    refused = public.post("/api/v1/join/velo", application(accepted_version=0), expect=400)
    assert "version 1" in refused["error"]["message"]

    received = public.post(
        "/api/v1/join/velo", application(channel="forum", external_id="lea-forum")
    )
    assert received["status"] == "queued"
    queue = camille.get("/api/v1/applications", community="velo")["items"]
    assert [(a["handle"], a["score"], a["reasons"]) for a in queue] == [("lea", 0.0, [])]
    approved = world.as_("ana").post(
        f"/api/v1/applications/{received['id']}/approve", {"note": "réponses sincères"}
    )
    assert approved["status"] == "approved"
    assert approved["message"] == "Votre demande d'adhésion à Vélo est acceptée. Bienvenue !"
    again = camille.post(f"/api/v1/applications/{received['id']}/approve", expect=409)
    assert "already approved by user:ana" in again["error"]["message"]

    members = camille.get("/api/v1/members", community="velo")["items"]
    assert [(m["external_id"], m["handle"]) for m in members] == [("lea-forum", "lea")]
    file = camille.get(f"/api/v1/members/{members[0]['id']}")
    assert file["language"] == "fr" and file["acceptances"][0]["version"] == 1
    assert file["must_accept_version"] is None
    world.as_("camille").post(
        "/api/v1/communities/velo/code-of-conduct",
        {"language": "fr", "text": "Nouvelle charte", "requires_reacceptance": True},
    )
    member = members[0]["id"]
    assert camille.get(f"/api/v1/members/{member}")["must_accept_version"] == 2
    camille.post(f"/api/v1/members/{member}/acceptances", {"version": 2})
    assert camille.get(f"/api/v1/members/{member}")["must_accept_version"] is None
    trail = world.as_("ada").get("/api/v1/audit", target=f"application:{received['id']}")
    assert [(e["action"], e["actor"], e["reason"]) for e in reversed(trail["items"])] == [
        ("application.submit", "applicant:lea", "screening score 0.00"),
        ("application.approve", "user:ana", "réponses sincères"),
    ]


def test_screening_rejects_spam_and_flags_copied_answers(world: World) -> None:
    publish_code(world)
    world.as_("camille").put("/api/v1/communities/velo/application-form", FORM)
    public = world.as_(None)
    spam = application(
        handle="promo",
        email="x@yopmail.com",
        language="en",
        answers={"why": "https://a.example https://b.example", "bike": "www.c.example"},
    )
    rejected = public.post("/api/v1/join/velo", spam)
    assert rejected["status"] == "rejected"
    assert rejected["message"].startswith("Your application to join Vélo was not approved.")
    public.post("/api/v1/join/velo", application())
    copy = public.post("/api/v1/join/velo", application(handle="lea2", email="l2@example.org"))
    queued = world.as_("camille").get("/api/v1/applications", community="velo")["items"]
    copied = next(a for a in queued if a["id"] == copy["id"])
    assert copied["reasons"][0]["signal"] == "copied_answers" and copied["score"] == 0.4
    everything = world.as_("camille").get("/api/v1/applications", community="velo", status="")
    spammer = next(a for a in everything["items"] if a["handle"] == "promo")
    assert {"disposable_email", "links"} <= {r["signal"] for r in spammer["reasons"]}
    assert spammer["decided_by"] == "rule:screening"


def test_an_applicant_resembling_a_banned_member_is_flagged_with_evidence(world: World) -> None:
    publish_code(world)
    world.push(rude("t1", author="troll42"))
    item = world.item_of("t1")["id"]
    world.as_("ana").post(
        f"/api/v1/moderation/items/{item}/actions",
        {"action": "remove", "also": ["ban"], "rule": "respect"},
    )
    world.as_("camille").put(
        "/api/v1/communities/velo/application-form", FORM | {"approve_below": 0.5}
    )
    back = world.as_(None).post(
        "/api/v1/join/velo", application(handle="Troll_2024", email="t@example.org")
    )
    assert back["status"] == "queued"  # never approved automatically while flagged
    found = world.as_("camille").get("/api/v1/applications", community="velo")["items"][0]
    assert found["evasion_flags"][0]["evidence"][0]["hint"] == "handle"
    assert "pattern of @troll42" in found["evasion_flags"][0]["evidence"][0]["detail"]
    rejected = world.as_("camille").post(
        f"/api/v1/applications/{back['id']}/reject", {"reason": "compte banni"}
    )
    assert rejected["message"].endswith("Motif : compte banni.")
