"""The case page offers a care agent its actions (templates to draft from, departments to route
to); a department member reads the case but gets no reply box."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gardien.app.runtime import Runtime
from gardien.domain import utcnow
from tests.care.conftest import as_, complaint, feed

SETUP = "/api/v1/care/communities/velo"


def test_an_agent_gets_the_actions_a_department_member_does_not(
    care_runtime: Runtime, client: TestClient, tokens: dict[str, str]
) -> None:
    boss, agent = as_(tokens["camille"]), as_(tokens["cara"])
    client.put(f"{SETUP}/templates/sorry/fr", headers=boss, json={"body": "Bonjour {first_name}"})
    client.put(f"{SETUP}/departments/technical", headers=boss, json={"name": "Technique"})
    feed(care_runtime, [complaint("z", "Mon Rhône E7 est en panne depuis hier.", utcnow(), "zoe")])
    (case,) = client.get("/api/v1/care/cases", headers=agent).json()["items"]
    page = client.get(f"/console/care/cases/{case['id']}", headers=agent)
    assert page.status_code == 200
    assert '<option value="sorry">' in page.text and '<option value="technical"' in page.text
    assert 'data-care="reply"' in page.text and "No first response yet" in page.text

    client.post(f"/api/v1/care/cases/{case['id']}/route", headers=agent,
                json={"department": "technical"})  # fmt: skip
    tess = client.get(f"/console/care/cases/{case['id']}", headers=as_(tokens["tess"]))
    assert tess.status_code == 200 and "Rhône E7" in tess.text
    assert 'data-care="reply"' not in tess.text


def test_without_javascript_the_forms_draft_reply_and_resolve(
    care_runtime: Runtime, client: TestClient, tokens: dict[str, str]
) -> None:
    boss, agent = as_(tokens["camille"]), as_(tokens["cara"])
    client.put(f"{SETUP}/templates/sorry/fr", headers=boss, json={"body": "Bonjour {first_name}"})
    feed(care_runtime, [complaint("z", "Mon Rhône E7 est en panne depuis hier.", utcnow(), "zoe")])
    (case,) = client.get("/api/v1/care/cases", headers=agent).json()["items"]
    page = f"/console/care/cases/{case['id']}"

    refused = client.post(page, headers=agent, data={"do": "reply", "text": " "})
    assert refused.status_code == 400 and "write the reply first" in refused.text
    drafted = client.post(page, headers=agent, data={"do": "draft", "template": "sorry"})
    assert drafted.status_code == 200
    assert ">Bonjour Zoe</textarea>" in drafted.text and 'value="sorry">' in drafted.text
    sent = client.post(page, headers=agent, follow_redirects=False,
                       data={"do": "reply", "text": "Bonjour Zoe, on s'en occupe.",
                             "used_template": "sorry"})  # fmt: skip
    assert sent.status_code == 303 and sent.headers["location"] == page
    wrong = client.post(page, headers=agent, data={"do": "route", "department": "nowhere"})
    assert wrong.status_code == 400 and "no department" in wrong.text
    client.post(page, headers=agent, data={"do": "resolve", "note": "fixed"})
    detail = client.get(f"/api/v1/care/cases/{case['id']}", headers=agent).json()
    assert detail["case"]["status"] == "resolved" and detail["first_response_at"]
    (reply,) = detail["replies"]
    assert reply["template"] == "sorry" and reply["agent"] == "cara"
    assert client.post(page, headers=as_(tokens["tess"]), data={"do": "reopen"}).status_code == 403
