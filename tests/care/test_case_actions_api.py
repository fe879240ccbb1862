"""Working a case through the API: assignment, routing to a department and back, reply drafts
and replies (out through the outbox), resolution, CSAT, reopening, and SLA breaches."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from gardien.actions.outbox import deliver_due
from gardien.app.runtime import Runtime
from gardien.domain import OutboundAction, utcnow
from gardien.store.tables import AuditRow
from tests.care.conftest import as_, complaint, feed

CASES = "/api/v1/care/cases"
SETUP = "/api/v1/care/communities/velo"


def only_case(client: TestClient, token: str, **filters: str) -> dict[str, Any]:
    items = client.get(CASES, headers=as_(token), params=filters).json()["items"]
    assert len(items) == 1, items
    return items[0]


def test_assignment_manual_round_robin_and_by_language(
    care_runtime: Runtime, client: TestClient, tokens: dict[str, str]
) -> None:
    boss = as_(tokens["camille"])
    for name, languages in (("cara", ["en"]), ("colin", ["en", "fr"])):
        assert client.put(f"{SETUP}/agents/{name}", headers=boss,
                          json={"languages": languages}).status_code == 204  # fmt: skip
    feed(care_runtime, [complaint("p1", "My delivery is late", utcnow(), "ann")])
    case = only_case(client, tokens["cara"])
    refused = client.post(f"{CASES}/{case['id']}/assign", headers=as_(tokens["cara"]), json={})
    assert refused.status_code == 400
    assert "manually" in refused.json()["error"]["message"]
    done = client.post(f"{CASES}/{case['id']}/assign", headers=as_(tokens["cara"]),
                       json={"agent": "cara"}).json()  # fmt: skip
    assert (done["case"]["assignee"], done["case"]["status"]) == ("cara", "assigned")

    client.patch(f"{SETUP}/settings", headers=boss, json={"assignment": "round_robin"})
    now = utcnow()
    text = "I am still waiting for the refund of my order, it has been {n} weeks now"
    feed(care_runtime, [complaint(f"r{n}", text.format(n=n), now, f"u{n}") for n in range(3)])
    refunds = sorted((case["author"], case["assignee"])
                     for case in client.get(CASES, headers=boss).json()["items"]
                     if case["topic"] == "refund")  # fmt: skip
    # Round-robin in name order after the last one chosen: cara, colin, cara.
    assert refunds == [("u0", "cara"), ("u1", "colin"), ("u2", "cara")]

    feed(care_runtime, [complaint("fr1", "Ma livraison n'est jamais arrivée, c'est une honte",
                                  utcnow(), "zoe")])  # fmt: skip
    french = next(
        c for c in client.get(CASES, headers=boss).json()["items"] if c["author"] == "zoe"
    )
    assert (french["language"], french["assignee"]) == ("fr", "colin")


def test_routing_rules_departments_and_hand_back(
    care_runtime: Runtime, client: TestClient, tokens: dict[str, str]
) -> None:
    boss, agent, tech = as_(tokens["camille"]), as_(tokens["cara"]), as_(tokens["tess"])
    rule = {"department": "technical",
            "when": {"any": [{"field": "flag.care.topic", "equals": "app"},
                             {"field": "post.text", "matches": "bluetooth|firmware"}]}}  # fmt: skip
    assert client.put(f"{SETUP}/routing-rules/app-bugs", headers=boss, json=rule).status_code == 204
    now = utcnow()
    feed(care_runtime, [complaint("bug", "The VR Connect app crashes since 4.2.0", now, "ann"),
                        complaint("late", "Where is my delivery?", now, "bob")])  # fmt: skip
    bug = only_case(client, tokens["tess"])  # the department sees its own cases only
    assert (bug["author"], bug["department"]) == ("ann", "technical")
    late = next(c for c in client.get(CASES, headers=agent).json()["items"] if c["author"] == "bob")
    assert late["department"] == "customer-service"
    assert client.get(f"{CASES}/{late['id']}", headers=tech).status_code == 404

    routed = client.post(
        f"{CASES}/{late['id']}/route",
        headers=agent,
        json={"department": "technical", "note": "tracking page bug?"},
    ).json()
    assert (routed["case"]["department"], routed["case"]["status"]) == (
        "technical", "waiting_department")  # fmt: skip
    unknown = client.post(f"{CASES}/{late['id']}/route", headers=agent, json={"department": "x"})
    assert unknown.status_code == 400
    assert client.post(f"{CASES}/{late['id']}/hand-back", headers=tech,
                       json={"note": ""}).status_code == 400  # fmt: skip
    back = client.post(f"{CASES}/{late['id']}/hand-back", headers=tech,
                       json={"note": "carrier API was down, fixed"}).json()  # fmt: skip
    assert back["case"]["status"] == "new"
    assert [e["kind"] for e in back["events"]][-2:] == ["route", "hand_back"]
    assert back["events"][-1]["note"] == "carrier API was down, fixed"
    with care_runtime.database.session() as session:
        audit = session.scalars(select(AuditRow.action).where(AuditRow.actor == "user:tess"))
        assert list(audit) == ["care.hand_back"]


def test_draft_reply_resolve_csat_and_reopen(
    care_runtime: Runtime, client: TestClient, tokens: dict[str, str]
) -> None:
    boss, agent = as_(tokens["camille"]), as_(tokens["cara"])
    for language, body in (
        ("en", "Hi {first_name}, sorry about your {product}. I've opened order {order_number}. "
               "{agent} at {brand}"),
        ("fr", "Bonjour {first_name}, désolés pour votre {product}. Dossier {order_number}. "
               "{agent}, {brand}"),
    ):  # fmt: skip
        client.put(f"{SETUP}/templates/sorry/{language}", headers=boss, json={"body": body})
    bad = client.put(f"{SETUP}/templates/oops/en", headers=boss, json={"body": "Hi {name}"})
    assert bad.status_code == 400 and "unknown variable {name}" in bad.json()["error"]["message"]
    feed(care_runtime, [complaint("fr", "Mon Rhône E7 est en panne depuis hier, commande 77812. "
                                  "Personne ne répond, c'est inadmissible.", utcnow(), "zoe")])  # fmt: skip
    case = only_case(client, tokens["cara"])
    draft = client.post(f"{CASES}/{case['id']}/draft", headers=agent,
                        json={"template": "sorry"}).json()  # fmt: skip
    assert draft["language"] == "fr"
    assert (
        draft["text"] == "Bonjour Zoe, désolés pour votre Rhône E7. Dossier 77812. cara, Vélo Rouge"
    )

    sent = client.post(f"{CASES}/{case['id']}/replies", headers=agent,
                       json={"text": draft["text"] + " Merci !", "template": "sorry"})  # fmt: skip
    assert sent.status_code == 201
    delivered: list[tuple[str, OutboundAction]] = []
    report = deliver_due(care_runtime.database, lambda key, a: delivered.append((key, a)), utcnow())
    assert report.delivered == 1
    key, action = delivered[0]
    assert key == sent.json()["outbox_key"]
    assert (action.channel, action.kind, action.target) == ("forum", "reply", "fr")
    assert action.payload["text"].endswith("Merci !")

    detail = client.get(f"{CASES}/{case['id']}", headers=agent).json()
    assert detail["first_response_at"] is not None and detail["case"]["sla_state"] == "ok"
    assert client.post(f"{CASES}/{case['id']}/csat", headers=agent,
                       json={"score": 5}).status_code == 400  # fmt: skip
    client.post(f"{CASES}/{case['id']}/resolve", headers=agent, json={"note": "replaced"})
    rated = client.post(f"{CASES}/{case['id']}/csat", headers=agent, json={"score": 4}).json()
    assert (rated["case"]["status"], rated["csat"]) == ("resolved", 4)
    assert client.get(CASES, headers=agent).json()["items"] == []

    feed(care_runtime, [complaint("fr2", "Mon Rhône E7 est ENCORE en panne", utcnow(), "zoe")])
    back = only_case(client, tokens["cara"])
    assert (back["id"], back["status"], back["posts"]) == (case["id"], "assigned", 2)


def test_sla_warning_then_breach_are_recorded_once(
    care_runtime: Runtime, client: TestClient, tokens: dict[str, str]
) -> None:
    boss, agent = as_(tokens["camille"]), as_(tokens["cara"])
    for tier in ("low", "normal", "high", "urgent"):
        client.put(f"{SETUP}/sla/{tier}", headers=boss, json={
            "first_response_minutes": 30, "resolution_minutes": 240, "warn_minutes": 10})  # fmt: skip
    now = utcnow()
    feed(care_runtime, [complaint("old", "Refund missing", now - timedelta(minutes=45), "ann"),
                        complaint("soon", "Delivery late", now - timedelta(minutes=25), "bob"),
                        complaint("new", "App crash", now, "cid")])  # fmt: skip
    first = client.post(f"{SETUP}/check", headers=boss).json()
    assert (first["sla_breaches"], first["sla_warnings"]) == (1, 1)
    again = client.post(f"{SETUP}/check", headers=boss).json()
    assert (again["sla_breaches"], again["sla_warnings"]) == (0, 0)
    items = {c["author"]: c for c in client.get(CASES, headers=agent).json()["items"]}
    assert items["ann"]["sla_state"] == "breached" and items["ann"]["sla_minutes_left"] < 0
    assert items["bob"]["sla_state"] == "warning"
    assert items["cid"]["sla_state"] == "ok"
    assert list(items) == ["ann", "bob", "cid"]  # the breached case first among equals
    detail = client.get(f"{CASES}/{items['ann']['id']}", headers=agent).json()
    assert detail["events"][-1]["kind"] == "sla_breached"
    assert client.post(f"{SETUP}/check", headers=agent).status_code == 403
