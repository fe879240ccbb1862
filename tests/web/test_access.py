"""Accounts and access through HTTP and the CLI: signing in, tokens, and each role seeing only
its own communities ("not found" for the others)."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gardien.app.runtime import Runtime
from gardien.channels.webhook import sign
from gardien.cli.main import app as cli
from tests.factories import jsonl, post
from tests.web.conftest import PASSWORD, bearer, csrf_of, sign_in


def push(client: TestClient, channel: str, secret: str, records: list[dict[str, object]]) -> None:
    body = jsonl(records)
    stamp = int(time.time())
    headers = {"X-Gardien-Timestamp": str(stamp), "X-Gardien-Signature": sign(secret, stamp, body)}
    assert (
        client.post(f"/api/v1/ingest/{channel}", content=body, headers=headers).status_code == 200
    )


@pytest.fixture
def posted(app_client: TestClient, cast: dict[str, str]) -> dict[str, int]:
    """One post in 'velo' and one in 'trail'; external id -> post id."""
    push(app_client, "forum", "forum-secret", [post("v1", "Bonjour, vélo")])
    push(app_client, "trail-forum", "test-secret", [post("t1", "Trail talk")])
    items = app_client.get("/api/v1/posts", headers=bearer(cast["ada"])).json()["items"]
    return {item["external_id"]: item["id"] for item in items}


def test_sign_in_opens_the_console_and_sign_out_closes_it(
    app_client: TestClient, cast: dict[str, str]
) -> None:
    assert (
        app_client.get("/console", follow_redirects=False).headers["location"]
        == "/login?next=/console"
    )
    sign_in(app_client, "mo")
    assert app_client.get("/console").status_code == 200
    app_client.post("/logout", data={"csrf_token": csrf_of(app_client)})
    assert app_client.get("/console", follow_redirects=False).status_code == 303


def test_a_wrong_password_or_a_forged_form_does_not_sign_in(
    app_client: TestClient, cast: dict[str, str]
) -> None:
    page = app_client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    wrong = app_client.post(
        "/login", data={"username": "mo", "password": "nope", "csrf_token": token}
    )
    assert wrong.status_code == 401 and "Wrong username or password" in wrong.text
    forged = app_client.post(
        "/login", data={"username": "mo", "password": PASSWORD, "csrf_token": "x"}
    )
    assert forged.status_code == 403
    assert app_client.get("/api/v1/posts").status_code == 401


def test_sign_in_is_rate_limited_per_username(app_client: TestClient, cast: dict[str, str]) -> None:
    page = app_client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"username": "mo", "password": "guess", "csrf_token": token}
    codes = [app_client.post("/login", data=form).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    right = app_client.post("/login", data={**form, "password": PASSWORD})
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0


def test_each_role_sees_only_its_communities(
    app_client: TestClient, cast: dict[str, str], posted: dict[str, int]
) -> None:
    def visible(name: str) -> list[str]:
        response = app_client.get("/api/v1/posts", headers=bearer(cast[name]))
        return sorted(item["external_id"] for item in response.json()["items"])

    assert visible("ada") == ["t1", "v1"]
    assert visible("mo") == visible("camille") == visible("mara") == ["v1"]
    assert visible("trina") == ["t1"]
    other = app_client.get(f"/api/v1/posts/{posted['t1']}", headers=bearer(cast["mo"]))
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    asked = app_client.get("/api/v1/posts?community=trail", headers=bearer(cast["mo"]))
    assert asked.status_code == 404
    queue = app_client.get("/api/v1/queues/moderation?community=trail", headers=bearer(cast["mo"]))
    assert queue.status_code == 404
    assert app_client.get("/api/v1/queues/care", headers=bearer(cast["mo"])).status_code == 403
    assert app_client.get("/api/v1/posts", headers=bearer(cast["dee"])).status_code == 403


def test_a_revoked_token_or_a_deactivated_user_is_refused(
    app_client: TestClient, cast: dict[str, str], runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_test_database(monkeypatch, runtime)
    runner = CliRunner()
    assert runner.invoke(cli, ["user", "token", "mo", "--revoke", cast["mo"][:12]]).exit_code == 0
    assert app_client.get("/api/v1/posts", headers=bearer(cast["mo"])).status_code == 401
    assert runner.invoke(cli, ["user", "deactivate", "mara"]).exit_code == 0
    assert app_client.get("/api/v1/posts", headers=bearer(cast["mara"])).status_code == 401
    assert app_client.get("/api/v1/posts", headers=bearer("gdn_made-up")).status_code == 401


def _use_test_database(monkeypatch: pytest.MonkeyPatch, runtime: Runtime) -> None:
    """Point the CLI (which reads GARDIEN_* variables) at the test's database."""
    monkeypatch.setenv("GARDIEN_DATABASE_URL", runtime.database.engine.url.render_as_string(False))
    monkeypatch.setenv("GARDIEN_DATA_DIR", str(runtime.settings.data_dir))


def test_gardien_user_add_creates_an_admin_and_a_moderator_who_can_sign_in(
    runtime: Runtime, app_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_test_database(monkeypatch, runtime)
    runner = CliRunner()
    first = runner.invoke(cli, ["user", "add", "root", "--admin"], input="a long password\n" * 2)
    assert first.exit_code == 0, first.output
    added = runner.invoke(
        cli,
        ["user", "add", "sam", "--role", "moderator", "--community", "velo", "--generate-password"],
    )
    assert added.exit_code == 0, added.output
    assert "moderator@velo" in added.output
    password = added.output.split("password: ", 1)[1].strip()
    sign_in(app_client, "sam", password)
    assert app_client.get("/api/v1/queues/moderation").status_code == 200
    listing = runner.invoke(cli, ["user", "list"]).output
    assert "root" in listing and "moderator@velo" in listing
    duplicate = runner.invoke(cli, ["user", "add", "sam", "--generate-password"])
    assert duplicate.exit_code == 2 and "already exists" in duplicate.output
