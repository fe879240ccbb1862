"""The audit log by community: moderators and community managers read their communities'
entries (never another's, never the global ones), admins read everything; filters and cursor
pagination work the same in the API and on the console page."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import bearer

EVENT = {"title": "Sortie du dimanche", "starts_at": "2027-05-02T08:00:00Z"}


def _event(client: TestClient, token: str, community: str, title: str) -> int:
    body = {**EVENT, "title": title, "ends_at": "2027-05-02T12:00:00Z"}
    answer = client.post(f"/api/v1/insights/{community}/events", json=body, headers=bearer(token))
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def _log(client: TestClient, token: str, expect: int = 200, **params: Any) -> Any:
    answer = client.get("/api/v1/audit", params=params, headers=bearer(token))
    assert answer.status_code == expect, answer.text
    return answer.json()


@pytest.fixture
def logged(app_client: TestClient, cast: dict[str, str]) -> dict[str, int]:
    """Entries in both communities (an event each) besides the cast's global user entries and
    its role grants; returns the events' ids."""
    return {
        "velo": _event(app_client, cast["camille"], "velo", "Sortie vélo"),
        "trail": _event(app_client, cast["trina"], "trail", "Sortie trail"),
    }


def test_each_role_reads_only_the_entries_of_its_communities(
    app_client: TestClient, cast: dict[str, str], logged: dict[str, int]
) -> None:
    everything = _log(app_client, cast["ada"], limit=500)["items"]
    assert {entry["community"] for entry in everything} == {"velo", "trail", None}
    assert any(entry["action"] == "user.create" for entry in everything)
    for name in ("camille", "mo"):
        seen = _log(app_client, cast[name], limit=500)["items"]
        assert seen and {entry["community"] for entry in seen} == {"velo"}, name
        assert ("event.create", f"event:{logged['velo']}") in {
            (entry["action"], entry["target"]) for entry in seen
        }
        assert all(entry["action"] in ("role.grant", "event.create") for entry in seen), name
    trail = _log(app_client, cast["trina"], limit=500)["items"]
    assert {entry["community"] for entry in trail} == {"trail"}
    for name in ("cara", "dee", "mara", "nobody"):
        assert _log(app_client, cast[name], expect=403)["error"]["code"] == "forbidden"
    # Another community's log answers "not found", like a community that does not exist.
    assert _log(app_client, cast["mo"], expect=404, community="trail")["error"]["code"] == (
        "not_found"
    )
    assert _log(app_client, cast["ada"], expect=404, community="nowhere")
    assert {e["community"] for e in _log(app_client, cast["ada"], community="trail")["items"]} == {
        "trail"
    }


def test_filters_and_cursor(
    app_client: TestClient, cast: dict[str, str], logged: dict[str, int]
) -> None:
    second = _event(app_client, cast["camille"], "velo", "Sortie nocturne")
    events = _log(app_client, cast["mo"], object_type="event")["items"]
    assert [entry["target"] for entry in events] == [f"event:{second}", f"event:{logged['velo']}"]
    one = _log(app_client, cast["mo"], object_type="event", object_id=str(second))["items"]
    assert [entry["reason"] for entry in one] == ["Sortie nocturne"]
    assert _log(app_client, cast["mo"], actor="user:trina")["items"] == []
    assert len(_log(app_client, cast["ada"], actor="user:trina")["items"]) == 1
    assert _log(app_client, cast["mo"], action="event.create", text="nocturne")["items"] == one
    first = events[-1]["at"]
    assert _log(app_client, cast["mo"], object_type="event", until=first)["items"] == []
    assert len(_log(app_client, cast["mo"], object_type="event", since=first)["items"]) == 2

    page = _log(app_client, cast["mo"], object_type="event", limit=1)
    assert [entry["target"] for entry in page["items"]] == [f"event:{second}"]
    older = _log(app_client, cast["mo"], object_type="event", limit=1, cursor=page["next_cursor"])
    assert [entry["target"] for entry in older["items"]] == [f"event:{logged['velo']}"]
    assert _log(app_client, cast["mo"], expect=400, cursor="garbled!")["error"]["code"] == (
        "bad_cursor"
    )
    assert _log(app_client, cast["mo"], expect=422, object_type="nonsense")


def test_the_console_page_shows_the_same_scope(
    app_client: TestClient, cast: dict[str, str], logged: dict[str, int]
) -> None:
    def page(name: str, **params: str) -> Any:
        return app_client.get("/console/audit", params=params, headers=bearer(cast[name]))

    mine = page("mo")
    assert mine.status_code == 200
    assert f"event:{logged['velo']}" in mine.text and f"event:{logged['trail']}" not in mine.text
    assert "user.create" not in mine.text
    assert 'href="/console/audit"' in mine.text  # the nav link, now for moderators too
    assert page("mo", community="trail").status_code == 404
    assert page("cara").status_code == 403
    assert (
        'href="/console/audit"' not in app_client.get("/console", headers=bearer(cast["cara"])).text
    )
    filtered = page("ada", object_type="event", community="trail", since="", until="")
    assert filtered.status_code == 200
    assert f"event:{logged['trail']}" in filtered.text and "user.create" not in filtered.text
    wrong = page("ada", since="last tuesday")
    assert wrong.status_code == 400 and 'aria-invalid="true"' in wrong.text
    assert "user.create" in page("ada").text
