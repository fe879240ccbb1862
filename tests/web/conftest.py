"""The web tests' cast: users with roles, signed in by API token or through the sign-in form."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from gardien.actions import accounts
from gardien.app.runtime import Runtime
from gardien.domain import Channel, Community, utcnow
from gardien.store.communities import ensure_channel, ensure_community
from gardien.web.app import create_app

PASSWORD = "correct horse battery"
#: (username, is_admin, {community: roles}) — the people the web tests are about.
CAST: dict[str, tuple[bool, dict[str, tuple[str, ...]]]] = {
    "ada": (True, {}),
    "camille": (False, {"velo": ("community_manager",)}),
    "mo": (False, {"velo": ("moderator",)}),
    "cara": (False, {"velo": ("care_agent",)}),
    "dee": (False, {"velo": ("department",)}),
    "mara": (False, {"velo": ("marketing_lead",)}),
    "trina": (False, {"trail": ("moderator", "care_agent", "community_manager")}),
    "nobody": (False, {}),
}

MakeUser = Callable[..., str]


@pytest.fixture
def make_user(runtime: Runtime) -> MakeUser:
    """Create a user with `roles` per community; returns an API token for them."""

    def make(
        name: str, admin: bool = False, roles: dict[str, tuple[str, ...]] | None = None
    ) -> str:
        with runtime.database.session() as session:
            now = utcnow()
            accounts.do_create_user(session, name, PASSWORD, actor="test", now=now, is_admin=admin)
            for community, held in (roles or {}).items():
                for role in held:
                    accounts.do_grant_role(session, name, community, role, actor="test", now=now)
            return accounts.do_issue_token(session, name, "tests", actor="test", now=now)

    return make


@pytest.fixture
def cast(runtime: Runtime, make_user: MakeUser) -> dict[str, str]:
    """Everyone in CAST, with a second community 'trail'; name -> API token."""
    with runtime.database.session() as session:
        ensure_community(session, Community(slug="trail", name="Trail", locales=("en",)))
        ensure_channel(session, Channel(name="trail-forum", kind="file", community="trail"))
    runtime.refresh()
    return {name: make_user(name, admin, roles) for name, (admin, roles) in CAST.items()}


@pytest.fixture
def app_client(runtime: Runtime) -> Iterator[TestClient]:
    """A client with no credentials."""
    with TestClient(create_app(runtime)) as test_client:
        yield test_client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a browser does (CSRF token read from the page)."""
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def csrf_of(client: TestClient) -> str:
    page = client.get("/console")
    return page.text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with its production cost makes a cast of eight users slow; the tests only need
    the same code path, so they hash with the smallest cost argon2 allows."""
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
