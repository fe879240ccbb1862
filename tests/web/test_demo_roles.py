"""The demo's logins (`gardien demo`: one per role over the demo communities) each see only what
their role allows: the nav offers exactly their pages, every page it offers opens, every other
console page answers 403 (or "not found" for another community's), and the queue and the audit
log show only their communities' items and entries."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from gardien.actions import accounts
from gardien.app.ingest import ingest_and_triage
from gardien.app.runtime import Runtime
from gardien.channels import webhook
from gardien.demo.bundle import load_manifest
from gardien.domain import Channel, Community, utcnow
from gardien.store.communities import ensure_channel, ensure_community
from gardien.web.app import create_app
from tests.factories import jsonl, post

PAGES = (
    "/console/queue",
    "/console/applications",
    "/console/appeals",
    "/console/reports",
    "/console/care",
    "/console/posts",
    "/console/insights",
    "/console/audit",
    "/console/users",
    "/console/channels",
    "/console/policies",
)
#: The console pages each demo login's nav offers (besides the overview and the API docs).
ALLOWED = {
    "admin": set(PAGES),
    "manager": set(PAGES) - {"/console/users"},
    "moderator": {
        "/console/queue",
        "/console/applications",
        "/console/appeals",
        "/console/reports",
        "/console/posts",
        "/console/audit",
    },
    "agent": {"/console/care", "/console/posts"},
    "technical": {"/console/care"},
    "marketing": {"/console/posts", "/console/insights"},
}
ALLOWED["moderatrice"] = ALLOWED["moderator"]


@pytest.fixture
def demo(runtime: Runtime) -> TestClient:
    """The demo's communities, channels and logins, and one insulting post in each riders'
    community, held for review by the real pipeline."""
    manifest = load_manifest()
    with runtime.database.session() as session:
        for c in manifest.communities:
            ensure_community(session, Community(c.slug, c.name, c.description, c.locales))
        for ch in manifest.channels:
            ensure_channel(session, Channel(ch.name, ch.kind, ch.community))
        accounts.do_create_demo_users(session, utcnow())
    runtime.refresh()
    for channel, text in (
        ("rouleurs-forum", "Espèce de connard, tu ne connais rien aux vélos"),
        ("riders-social", "Go fuck yourself, you know nothing about bikes"),
    ):
        body = jsonl([post(f"{channel}-1", text, author="troll")])
        ingest_and_triage(runtime, channel, "test", webhook.parse_body(body, runtime.limits))
    return TestClient(create_app(runtime))


def sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post(
        "/login",
        data={
            "username": username,
            "password": accounts.demo_password(username),
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, f"{username}: {answer.text}"


def nav_of(html: str) -> set[str]:
    nav = html.split('<nav aria-label="', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'href="(/console/[a-z]+)"', nav))


@pytest.mark.parametrize("username", sorted(ALLOWED))
def test_each_demo_login_sees_only_what_its_role_allows(demo: TestClient, username: str) -> None:
    with demo:
        sign_in(demo, username)
        assert nav_of(demo.get("/console").text) == ALLOWED[username]
        for page in PAGES:
            answer = demo.get(page, follow_redirects=False)
            if page in ALLOWED[username]:
                assert answer.status_code in (200, 303), f"{username} {page}: {answer.status_code}"
            else:
                assert answer.status_code == 403, f"{username} {page}: {answer.status_code}"


def test_the_queue_and_the_log_stop_at_ones_communities(demo: TestClient) -> None:
    with demo:
        sign_in(demo, "moderator")  # both riders' communities
        both = demo.get("/console/queue").text
        assert "rouleurs-forum" in both and "riders-social" in both
        sign_in(demo, "moderatrice")  # les-rouleurs only
        mine = demo.get("/console/queue").text
        assert "rouleurs-forum" in mine and "riders-social" not in mine
        assert demo.get("/console/queue?community=red-velo-riders").status_code == 404
        log = demo.get("/api/v1/audit", params={"limit": 500}).json()["items"]
        assert log and {entry["community"] for entry in log} == {"les-rouleurs"}
        assert demo.get("/api/v1/audit?community=support").status_code == 404
        sign_in(demo, "manager")  # not a manager of support
        assert demo.get("/console/insights/support").status_code == 404
        assert demo.get("/console/insights/les-rouleurs").status_code == 200
        sign_in(demo, "marketing")
        assert demo.get("/console/insights/support").status_code == 200
