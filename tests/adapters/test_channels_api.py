"""The channels API: health and last error for admins and the community's manager (never a
credential), settings changed by an admin with an audit entry, and platform webhooks."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gardien.app.listen import Listener
from gardien.app.runtime import Runtime
from gardien.channels import webhook
from gardien.channels.platforms.discourse import signature
from gardien.web.app import create_app
from tests.adapters.conftest import add_channel, posts_of
from tests.adapters.fakes import PAYLOADS
from tests.web.conftest import bearer, sign_in

SECRET = "hook-secret-xyz"


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    add_channel(
        runtime,
        "rouleurs",
        "discourse",
        base_url="http://127.0.0.1:9",
        api_key="k-0123456789",
        api_username="gardien",
        webhook_secret=SECRET,
    )
    add_channel(runtime, "yt", "youtube", webhook_secret=SECRET)
    with TestClient(create_app(runtime)) as test_client:
        yield test_client


def test_admins_and_managers_see_health_and_last_error_without_credentials(
    runtime: Runtime, client: TestClient, cast: dict[str, str]
) -> None:
    Listener(
        runtime, interval_seconds=0, channels=("rouleurs",), deliver=False, triage=False
    ).cycle()
    answer = client.get("/api/v1/channels/rouleurs", headers=bearer(cast["camille"]))
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "failing" and "GET /posts.json" in body["last_error"]
    assert body["settings"]["api_key"] == "***" and "k-0123456789" not in answer.text
    names = {c["name"] for c in client.get("/api/v1/channels", headers=bearer(cast["ada"])).json()}
    assert {"rouleurs", "yt", "forum"} <= names
    assert client.get("/api/v1/channels", headers=bearer(cast["trina"])).json() == [
        c
        for c in client.get("/api/v1/channels", headers=bearer(cast["ada"])).json()
        if c["community"] == "trail"
    ]
    assert client.get("/api/v1/channels/rouleurs", headers=bearer(cast["trina"])).status_code == 404
    assert client.get("/api/v1/channels", headers=bearer(cast["mo"])).status_code == 403


def test_an_admin_changes_settings_and_the_audit_names_no_secret(
    client: TestClient, cast: dict[str, str]
) -> None:
    change = {"set": {"api_key": "brand-new-key-999", "max_pages": 3}, "reason": "key rotated"}
    answer = client.patch(
        "/api/v1/channels/rouleurs/settings", json=change, headers=bearer(cast["ada"])
    )
    assert answer.status_code == 200 and answer.json()["settings"]["max_pages"] == 3
    assert "brand-new-key-999" not in answer.text
    denied = client.patch(
        "/api/v1/channels/rouleurs/settings", json=change, headers=bearer(cast["camille"])
    )
    assert denied.status_code == 403
    log = client.get(
        "/api/v1/audit", headers=bearer(cast["ada"]), params={"action": "channel.configure"}
    )
    assert "brand-new-key-999" not in log.text


def test_a_signed_discourse_webhook_lands_and_a_forged_one_is_refused(
    runtime: Runtime, client: TestClient
) -> None:
    body = (PAYLOADS / "discourse_webhook_post_created.json").read_bytes()
    headers = {"X-Discourse-Event": "post_created", "X-Discourse-Event-Type": "post"}
    good = client.post(
        "/api/v1/channels/rouleurs/events",
        content=body,
        headers={**headers, "X-Discourse-Event-Signature": signature(SECRET, body)},
    )
    assert good.status_code == 200 and good.json()["new"] == 1
    again = client.post(
        "/api/v1/channels/rouleurs/events",
        content=body,
        headers={**headers, "X-Discourse-Event-Signature": signature(SECRET, body)},
    )
    assert again.json()["new"] == 0
    forged = client.post(
        "/api/v1/channels/rouleurs/events",
        content=body,
        headers={**headers, "X-Discourse-Event-Signature": signature("guess", body)},
    )
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "bad_signature"
    assert set(posts_of(runtime, "rouleurs")) == {"505"}


def test_a_bridge_forwards_platform_json_signed_the_gardien_way(
    runtime: Runtime, client: TestClient
) -> None:
    threads = json.loads((PAYLOADS / "youtube_comment_threads.json").read_text())
    threads["items"][0]["snippet"]["topLevelComment"] = {"id": "broken"}
    body = json.dumps(threads).encode()
    stamp = int(time.time())
    answer = client.post(
        "/api/v1/channels/yt/events",
        content=body,
        headers={
            webhook.TIMESTAMP_HEADER: str(stamp),
            webhook.SIGNATURE_HEADER: webhook.sign(SECRET, stamp, body),
        },
    )
    assert answer.status_code == 200
    assert (answer.json()["new"], len(answer.json()["rejected"])) == (3, 1)
    assert "snippet" in answer.json()["rejected"][0]["reason"]


def test_the_console_shows_each_channels_health_to_its_managers(
    runtime: Runtime, client: TestClient, cast: dict[str, str]
) -> None:
    Listener(
        runtime, interval_seconds=0, channels=("rouleurs",), deliver=False, triage=False
    ).cycle()
    sign_in(client, "camille")
    page = client.get("/console/channels")
    assert page.status_code == 200
    assert "rouleurs" in page.text and "failing" in page.text and "GET /posts.json" in page.text
    assert 'href="/console/channels"' in page.text and "k-0123456789" not in page.text


def test_a_webhook_only_channel_is_never_polled_and_its_pushes_show_in_its_health(
    runtime: Runtime, client: TestClient, cast: dict[str, str]
) -> None:
    add_channel(runtime, "hooks", "discourse", webhook_secret=SECRET, pull=False)
    listening = Listener(runtime, interval_seconds=0, deliver=False, triage=False)
    assert "hooks" not in [poll.channel for poll in listening.cycle().polls]
    listening.close()
    assert client.get("/api/v1/channels/hooks", headers=bearer(cast["ada"])).json()["status"] == (
        "never"
    )
    body = (PAYLOADS / "discourse_webhook_post_created.json").read_bytes()
    pushed = client.post(
        "/api/v1/channels/hooks/events",
        content=body,
        headers={
            "X-Discourse-Event": "post_created",
            "X-Discourse-Event-Signature": signature(SECRET, body),
        },
    )
    assert pushed.status_code == 200 and pushed.json()["new"] == 1
    health = client.get("/api/v1/channels/hooks", headers=bearer(cast["ada"])).json()
    assert (health["status"], health["items_seen"], health["last_error"]) == ("ok", 1, "")
    assert health["last_event_at"] is not None
    sign_in(client, "ada")
    assert "webhook " in client.get("/console/channels").text
