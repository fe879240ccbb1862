"""The review queue without JavaScript: a moderator signed in through the form approves, hides,
removes and warns with plain HTML forms (CSRF token, post/redirect/get, a message once after),
in bulk too; a refused verdict shows the page again with the reason next to the item."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import post
from tests.members.conftest import World, publish_code, rude
from tests.web.conftest import csrf_of, sign_in


@pytest.fixture
def ana(world: World) -> TestClient:
    """Ana, moderator of 'velo', signed in with a session cookie as a browser is."""
    world.as_("ana")
    sign_in(world.client, "ana")
    return world.client


def send(client: TestClient, path: str, **fields: Any) -> Any:
    data = {"csrf_token": csrf_of(client), **fields}
    return client.post(path, data=data, follow_redirects=False)


def status_of(world: World, item_id: int) -> str:
    return str(world.as_("bruno").get(f"/api/v1/moderation/items/{item_id}")["status"])


def test_a_moderator_works_the_queue_with_forms(world: World, ana: TestClient) -> None:
    publish_code(world)
    world.push(rude("r1"), rude("r2", author="troll2"))
    first, second = world.item_of("r1"), world.item_of("r2")
    page = ana.get("/console/queue")
    assert page.status_code == 200
    assert f'action="/console/queue/items/{first["id"]}/actions"' in page.text
    assert 'name="csrf_token"' in page.text and '<option value="respect"' in page.text

    done = send(ana, f"/console/queue/items/{first['id']}/actions", action="remove", rule="respect")
    assert done.status_code == 303 and done.headers["location"] == "/console/queue"
    shown = ana.get("/console/queue")
    assert f"Post #{first['post']['id']}: removed." in shown.text
    assert f'id="item-{first["id"]}"' not in shown.text
    assert "removed." not in ana.get("/console/queue").text  # the message shows once
    assert status_of(world, first["id"]) == "removed"

    refused = send(ana, f"/console/queue/items/{second['id']}/actions", action="hide")
    assert refused.status_code == 400
    assert re.search(rf'id="error-{second["id"]}"[^>]*>choose the rule broken', refused.text)
    assert status_of(world, second["id"]) == "open"
    again = send(ana, f"/console/queue/items/{first['id']}/actions", action="approve")
    assert again.status_code == 409 and "already handled by user:ana" in again.text

    forged = ana.post(
        f"/console/queue/items/{second['id']}/actions",
        data={"action": "approve", "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert forged.status_code == 403 and status_of(world, second["id"]) == "open"


def test_verdict_from_the_post_page(world: World, ana: TestClient) -> None:
    publish_code(world)
    world.push(rude("r1"))
    item = world.item_of("r1")
    path = f"/console/posts/{item['post']['id']}"
    page = ana.get(path)
    assert f'action="/console/queue/items/{item["id"]}/actions"' in page.text
    refused = send(ana, f"/console/queue/items/{item['id']}/actions", action="warn", next=path)
    assert refused.status_code == 400 and "choose the rule broken" in refused.text
    assert f"Post #{item['post']['id']}" in refused.text  # the post page again, not the queue
    done = send(
        ana,
        f"/console/queue/items/{item['id']}/actions",
        action="warn",
        rule="respect",
        note="insulte",
        next=path,
    )
    assert done.status_code == 303 and done.headers["location"] == path
    after = ana.get(path)
    assert "upheld." in after.text and "Handled: upheld, by user:ana." in after.text
    assert f"/console/queue/items/{item['id']}/actions" not in after.text
    member = world.as_("ana").get(f"/api/v1/moderation/items/{item['id']}")["author"]
    assert [s["kind"] for s in member["sanctions"]] == ["warn"]
    # Readers who do not moderate see the post, not the form.
    assert (
        "/actions"
        not in world.client.get(
            path, headers={"Authorization": f"Bearer {world.as_('lea').token}"}
        ).text
    )
    assert send(ana, "/console/queue/items/999999/actions", action="approve").status_code == 404


def test_bulk_verdict_with_a_form(world: World, ana: TestClient) -> None:
    world.push(rude("r1"), rude("r2", author="troll2"), rude("r3", author="troll3"))
    world.push(post("t1", "Go fuck yourself, you know nothing", author="x"), channel="trail-forum")
    mine = [world.item_of(name)["id"] for name in ("r1", "r2")]
    elsewhere = world.as_("tess").get("/api/v1/moderation/items")["items"][0]["id"]
    nothing = send(ana, "/console/queue/bulk", action="approve")
    assert nothing.status_code == 400 and "Select at least one item first." in nothing.text
    no_rule = ana.post(
        "/console/queue/bulk",
        data={"csrf_token": csrf_of(ana), "action": "hide", "items": mine},
        follow_redirects=False,
    )
    assert no_rule.status_code == 400 and "choose the rule broken" in no_rule.text
    done = ana.post(
        "/console/queue/bulk",
        data={
            "csrf_token": csrf_of(ana),
            "action": "approve",
            "items": [*mine, elsewhere],
            "next": "/console/queue?community=velo",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/console/queue?community=velo"
    shown = ana.get(done.headers["location"]).text
    assert "2 items done." in shown and f"no moderation item {elsewhere}" in shown
    assert [status_of(world, item) for item in mine] == ["approved", "approved"]
    assert world.as_("tess").get(f"/api/v1/moderation/items/{elsewhere}")["status"] == "open"
    assert [i["post"]["external_id"] for i in world.items()] == ["r3"]
