"""The console's pages through HTTP, as a signed-in browser sees them: every main page renders,
for the roles that may see it, in English or French, and its JSON twin carries the same data."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from gardien.channels.webhook import sign
from tests.factories import jsonl, post
from tests.web.conftest import bearer, csrf_of, sign_in

HELD = "Tu es un connard, ferme-la"


def push(client: TestClient, records: list[dict[str, object]]) -> None:
    body = jsonl(records)
    stamp = int(time.time())
    headers = {
        "X-Gardien-Timestamp": str(stamp),
        "X-Gardien-Signature": sign("forum-secret", stamp, body),
    }
    assert client.post("/api/v1/ingest/forum", content=body, headers=headers).status_code == 200


@pytest.fixture
def client(app_client: TestClient, cast: dict[str, str]) -> TestClient:
    push(app_client, [post("q1", HELD, author="troll"), post("q2", "Super balade ce matin !")])
    return app_client


def test_every_main_page_renders_for_an_admin(client: TestClient) -> None:
    sign_in(client, "ada")
    for path, heading in [
        ("/console", "Overview"),
        ("/console/queue", "Moderation queue"),
        ("/console/posts", "Posts"),
        ("/console/audit", "Audit log"),
        ("/console/users", "Users and roles"),
    ]:
        page = client.get(path)
        assert page.status_code == 200, path
        assert f"<h1>{heading}" in page.text, path


def test_the_queue_shows_the_held_post_with_its_reasons(client: TestClient) -> None:
    sign_in(client, "mo")
    page = client.get("/console/queue")
    assert "connard" in page.text and "<mark" in page.text
    items = client.get("/api/v1/moderation/items").json()["items"]
    assert [item["post"]["text"] for item in items] == [HELD]
    post_page = client.get(f"/console/posts/{items[0]['post']['id']}")
    assert "Why" in post_page.text and "<mark" in post_page.text


def test_the_overview_and_its_json_twin_agree(client: TestClient, cast: dict[str, str]) -> None:
    data = client.get("/api/v1/overview", headers=bearer(cast["mo"])).json()
    assert [card["slug"] for card in data["communities"]] == ["velo"]
    metrics = {m["label"]: m["value"] for m in data["communities"][0]["metrics"]}
    assert metrics["moderation queue"] == 1 and metrics["posts"] == 2
    sign_in(client, "mo")
    page = client.get("/console")
    assert "moderation queue" in page.text and "trail" not in page.text


def test_a_user_reads_the_console_in_their_language(client: TestClient) -> None:
    sign_in(client, "mo")
    client.post("/account/locale", data={"locale": "fr", "csrf_token": csrf_of(client)})
    page = client.get("/console/queue")
    assert "File de modération" in page.text and '<html lang="fr">' in page.text
    assert client.get("/api/v1/me").json()["locale"] == "fr"


def test_an_admin_adds_a_user_and_grants_a_role_from_the_users_page(client: TestClient) -> None:
    sign_in(client, "ada")
    token = csrf_of(client)
    added = client.post(
        "/console/users",
        data={"username": "zoe", "password": "long enough pw", "locale": "fr", "csrf_token": token},
    )
    assert added.status_code == 200 and "zoe" in added.text
    short = client.post(
        "/console/users", data={"username": "zed", "password": "short", "csrf_token": token}
    )
    assert "at least 10 characters" in short.text
    client.post(
        "/console/users/zoe/grants",
        data={"community": "velo", "role": "moderator", "csrf_token": token},
    )
    users = {u["username"]: u for u in client.get("/api/v1/users").json()}
    assert users["zoe"]["grants"] == [
        {"community": "velo", "role": "moderator", "department": None}
    ]
    assert "zed" not in users


def test_the_post_page_shows_the_counts_beside_the_scores(client: TestClient) -> None:
    """A flood's third copy: its page says how many copies and authors were counted."""
    flood = "Suivez ma chaîne pour des tests de vélos électriques, nouvelle vidéo chaque semaine"
    push(client, [post(f"f{n}", flood, author="flooder") for n in range(3)])
    sign_in(client, "mo")
    items = client.get("/api/v1/moderation/items").json()["items"]
    [third] = [item["post"]["id"] for item in items if item["post"]["text"] == flood]
    page = client.get(f"/console/posts/{third}").text
    assert (
        '<tr><th scope="row">count.repeated.copies</th><td>2 '
        '<span class="meta">earlier near-copies by this author</span></td></tr>'
    ) in page
    assert '<th scope="row">count.repeated.authors</th><td>1 ' in page
    client.post("/account/locale", data={"locale": "fr", "csrf_token": csrf_of(client)})
    french = client.get(f"/console/posts/{third}").text
    assert "quasi-copies antérieures de cet auteur" in french
    assert "auteurs ayant publié ce texte, celui-ci compris" in french
    posts = client.get("/api/v1/posts").json()["items"]
    [short] = [p["id"] for p in posts if p["external_id"] == "q2"]  # too short to count
    assert "count.repeated" not in client.get(f"/console/posts/{short}").text


def test_the_post_page_says_which_model_set_a_raised_score_and_marks_the_group(
    client: TestClient,
) -> None:
    """Hostility at a named group: offensive raises hate, the page names it and marks the group
    the attack aims at beside the insult."""
    attack = "Ces putains de migrants, qu'ils crèvent tous"
    push(client, [post("g1", attack, author="hater")])
    sign_in(client, "mo")
    posts = client.get("/api/v1/posts").json()["items"]
    [found] = [p["id"] for p in posts if p["external_id"] == "g1"]
    page = client.get(f"/console/posts/{found}").text
    assert '<th scope="row">hate</th>' in page
    assert '<span class="meta">set by offensive-' in page
    assert '<mark title="hate: group, hate, offensive">migrants,</mark>' in page
    client.post("/account/locale", data={"locale": "fr", "csrf_token": csrf_of(client)})
    assert "fixé par offensive-" in client.get(f"/console/posts/{found}").text


def test_the_brands_template_replies_are_not_held_once_its_accounts_are_named(
    client: TestClient, cast: dict[str, str]
) -> None:
    """Naming the brand's accounts in the care settings reaches the running policy at once."""
    named = client.patch(
        "/api/v1/care/communities/velo/settings",
        headers=bearer(cast["camille"]),
        json={"brand_accounts": ["@VeloRouge"]},
    )
    assert named.status_code == 204
    template = "Merci pour votre message, notre service client vous répond en privé sous 24 h"
    push(client, [post(f"r{n}", template, author="velorouge") for n in range(3)])
    sign_in(client, "mo")
    held = [item["post"]["text"] for item in client.get("/api/v1/moderation/items").json()["items"]]
    assert held == [HELD]
    posts = client.get("/api/v1/posts").json()["items"]
    [third] = [p["id"] for p in posts if p["external_id"] == "r2"]
    assert (
        '<th scope="row">count.repeated.copies</th><td>2 '
        in client.get(f"/console/posts/{third}").text
    )
