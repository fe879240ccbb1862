"""Editing a community's policy through the API: versions, validation errors with their line,
dry run over stored history, and shadow runs — each refused to roles that may not."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from gardien.channels.webhook import sign
from gardien.policy.defaults import default_policy_text
from tests.factories import jsonl, post
from tests.web.conftest import bearer

BASE = "/api/v1/communities/velo/policy"


def velo_policy(held: str = "") -> str:
    text = default_policy_text("fr").replace("community: default", "community: velo", 1)
    if held:
        text = text.replace(
            "watched_words:\n  lists:\n",
            f"watched_words:\n  lists:\n    - {{name: strict, action: hold, terms: [{held}]}}\n",
            1,
        )
    return text


def push(client: TestClient, *records: dict[str, object]) -> None:
    body = jsonl(list(records))
    now = int(time.time())
    headers = {
        "X-Gardien-Timestamp": str(now),
        "X-Gardien-Signature": sign("forum-secret", now, body),
    }
    assert client.post("/api/v1/ingest/forum", content=body, headers=headers).status_code == 200


def test_a_community_manager_saves_versions_and_the_live_one_judges(
    app_client: TestClient, cast: dict[str, str]
) -> None:
    manager = bearer(cast["camille"])
    shown = app_client.get(BASE, headers=manager).json()
    assert shown["live"] is None and "locale: fr" in shown["text"]
    saved = app_client.put(
        BASE, json={"text": velo_policy("guidon"), "note": "no handlebars"}, headers=manager
    )
    assert saved.status_code == 200, saved.text
    version = saved.json()["version"]
    push(app_client, post("1", "Mon guidon est tordu"))
    posts = app_client.get("/api/v1/posts", headers=manager).json()["items"]
    assert (posts[0]["action"], posts[0]["policy_version"]) == ("hold", version)
    versions = app_client.get(f"{BASE}/versions", headers=manager).json()
    assert [(v["version"], v["live"], v["author"]) for v in versions] == [
        (version, True, "user:camille")
    ]


def test_an_invalid_policy_is_refused_with_its_line_and_nothing_changes(
    app_client: TestClient, cast: dict[str, str]
) -> None:
    manager = bearer(cast["camille"])
    broken = velo_policy().replace("action: hold", "action: hide", 1)
    response = app_client.put(BASE, json={"text": broken}, headers=manager)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (
        error["code"] == "policy"
        and "velo.yaml:" in error["message"]
        and "hide" in error["message"]
    )
    assert app_client.get(f"{BASE}/versions", headers=manager).json() == []


def test_dry_run_reports_posts_newly_held_with_reasons(
    app_client: TestClient, cast: dict[str, str]
) -> None:
    manager = bearer(cast["camille"])
    push(app_client, post("1", "Mon guidon est tordu"), post("2", "Belle sortie"))
    report = app_client.post(
        f"{BASE}/dry-run", json={"text": velo_policy("guidon")}, headers=manager
    ).json()
    assert (report["total"], report["changed"], report["newly_blocked"]) == (2, 1, 1)
    [example] = report["newly_blocked_examples"]
    assert example["external_id"] == "1" and example["after"] == "hold"
    assert any(r["term"] == "guidon" for r in example["reasons_after"])


def test_a_shadow_version_is_compared_on_live_traffic(
    app_client: TestClient, cast: dict[str, str]
) -> None:
    manager = bearer(cast["camille"])
    app_client.put(BASE, json={"text": velo_policy("guidon"), "use": "shadow"}, headers=manager)
    push(app_client, post("1", "Mon guidon est tordu"), post("2", "Belle sortie"))
    shadow = app_client.get(f"{BASE}/shadow", headers=manager).json()
    assert (shadow["posts"], shadow["agree"]) == (2, 1)
    assert shadow["changes"] == [{"live": "allow", "shadow": "hold", "posts": 1}]
    assert app_client.delete(f"{BASE}/shadow", headers=manager).status_code == 200
    assert app_client.get(f"{BASE}/shadow", headers=manager).json()["version"] is None


def test_only_community_managers_edit_and_other_communities_are_not_found(
    app_client: TestClient, cast: dict[str, str]
) -> None:
    text = {"text": velo_policy()}
    assert app_client.put(BASE, json=text, headers=bearer(cast["mo"])).status_code == 403
    assert app_client.get(BASE, headers=bearer(cast["mo"])).status_code == 200
    other = app_client.put(BASE, json=text, headers=bearer(cast["trina"]))
    assert other.status_code == 404
    assert app_client.get(BASE).status_code == 401
