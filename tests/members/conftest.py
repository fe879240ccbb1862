"""The members tests' cast and helpers: moderators Ana and Bruno, community manager Camille and
admin Ada in 'velo', care agent Léa and marketing lead Marc (readers who report posts), Tess
moderating another community; posts pushed through the webhook."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from gardien.actions import accounts
from gardien.app.runtime import Runtime
from gardien.channels.webhook import sign
from gardien.domain import Channel, Community, utcnow
from gardien.pipeline.default import default_pipeline
from gardien.pipeline.runner import InProcessRunner, Runner
from gardien.store.communities import ensure_channel, ensure_community
from gardien.web.app import create_app
from tests.factories import jsonl, post

CAST: dict[str, tuple[bool, dict[str, tuple[str, ...]]]] = {
    "ana": (False, {"velo": ("moderator",)}),
    "bruno": (False, {"velo": ("moderator",)}),
    "camille": (False, {"velo": ("community_manager",)}),
    "ada": (True, {}),
    "tess": (False, {"trail": ("moderator",)}),
    "lea": (False, {"velo": ("care_agent",)}),
    "marc": (False, {"velo": ("marketing_lead",)}),
}


@dataclass
class Api:
    """A client speaking as one member of the cast (or as nobody)."""

    client: TestClient
    token: str | None = None

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, expect: int = 200, **params: Any) -> Any:
        response = self.client.get(path, params=params, headers=self._headers())
        assert response.status_code == expect, response.text
        return response.json() if "json" in response.headers.get("content-type", "") else response

    def post(self, path: str, body: Any = None, expect: int = 200) -> Any:
        response = self.client.post(path, json=body or {}, headers=self._headers())
        assert response.status_code == expect, response.text
        return response.json()

    def put(self, path: str, body: Any, expect: int = 200) -> Any:
        response = self.client.put(path, json=body, headers=self._headers())
        assert response.status_code == expect, response.text
        return response.json()


@dataclass
class World:
    runtime: Runtime
    client: TestClient
    tokens: dict[str, str]

    def as_(self, name: str | None) -> Api:
        """A client for `name` of the CAST (created on first use), or for nobody."""
        if name is not None and name not in self.tokens:
            self.tokens[name] = self._user(name)
        return Api(self.client, self.tokens[name] if name else None)

    def _user(self, name: str) -> str:
        admin, roles = CAST[name]
        with self.runtime.database.session() as session:
            now = utcnow()
            accounts.do_create_user(
                session, name, "correct horse battery", actor="test", now=now, is_admin=admin
            )
            for community, held in roles.items():
                for role in held:
                    accounts.do_grant_role(session, name, community, role, actor="test", now=now)
            return accounts.do_issue_token(session, name, "tests", actor="test", now=now)

    def push(self, *records: dict[str, Any], channel: str = "forum") -> None:
        """Posts arriving through the signed webhook (ingested and triaged)."""
        body = jsonl(list(records))
        stamp = int(time.time())
        secret = "forum-secret" if channel == "forum" else "test-secret"
        response = self.client.post(
            f"/api/v1/ingest/{channel}",
            content=body,
            headers={
                "X-Gardien-Timestamp": str(stamp),
                "X-Gardien-Signature": sign(secret, stamp, body),
            },
        )
        assert response.status_code == 200, response.text

    def items(self, name: str = "ana") -> list[dict[str, Any]]:
        return list(self.as_(name).get("/api/v1/moderation/items", community="velo")["items"])

    def item_of(self, external_id: str) -> dict[str, Any]:
        return next(i for i in self.items() if i["post"]["external_id"] == external_id)


@pytest.fixture(scope="session")
def shared_runner() -> Runner:
    """One pipeline for the whole run: stages keep no state beyond their lazily loaded models,
    so sharing it only saves loading the classifiers again for every test."""
    return InProcessRunner(default_pipeline())


@pytest.fixture
def world(
    runtime: Runtime, shared_runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    runtime.runner = shared_runner
    # The cast signs in with API tokens; password hashing at full strength would only slow
    # these tests down (its strength is the accounts area's concern and tested there).
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    with runtime.database.session() as session:
        ensure_community(session, Community(slug="trail", name="Trail", locales=("en",)))
        ensure_channel(session, Channel(name="trail-forum", kind="file", community="trail"))
    runtime.refresh()
    with TestClient(create_app(runtime)) as client:
        yield World(runtime, client, {})


#: A post the default (French) policy flags for review: an insult from its list.
RUDE = "Espèce de connard, tu ne connais rien aux vélos"
CODE = {
    "language": "fr",
    "text": "# Charte\n\nRespectez les autres. Pas de spam.",
    "rules": [{"id": "respect", "title": "Respect"}, {"id": "spam", "title": "Pas de spam"}],
}


def rude(
    external_id: str, author: str | dict[str, Any] = "troll", text: str = RUDE
) -> dict[str, Any]:
    return post(external_id, text, author=author)


def publish_code(world: World) -> None:
    world.as_("camille").post("/api/v1/communities/velo/code-of-conduct", CODE)
