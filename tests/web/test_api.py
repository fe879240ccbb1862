"""The JSON API through HTTP: webhook ingest (signed, fresh, idempotent), posts, queues, errors."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gardien.app.runtime import Runtime
from gardien.channels.webhook import sign
from gardien.web.app import create_app
from tests.factories import jsonl, post
from tests.web.conftest import MakeUser, bearer


@pytest.fixture
def client(runtime: Runtime, make_user: MakeUser) -> Iterator[TestClient]:
    """A client acting as an admin through an API token."""
    token = make_user("ada", admin=True)
    with TestClient(create_app(runtime), headers=bearer(token)) as test_client:
        yield test_client


def signed(body: bytes, secret: str = "forum-secret", at: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if at is None else at
    return {
        "X-Gardien-Timestamp": str(timestamp),
        "X-Gardien-Signature": sign(secret, timestamp, body),
    }


def push(client: TestClient, body: bytes) -> dict[str, Any]:
    response = client.post("/api/v1/ingest/forum", content=body, headers=signed(body))
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_webhook_ingests_triages_and_a_replay_changes_nothing(client: TestClient) -> None:
    body = jsonl([post("w1", "Ma commande n'est jamais arrivée"), post("w2", "Love my new bike")])
    first = push(client, body)
    assert (first["new"], first["triaged"]) == (2, 2)
    again = push(client, body)
    assert (again["new"], again["unchanged"], again["triaged"]) == (0, 2, 0)
    posts = client.get("/api/v1/posts").json()["items"]
    assert sorted(p["external_id"] for p in posts) == ["w1", "w2"]
    assert {p["language"] for p in posts} == {"fr", "en"}


def test_webhook_accepts_one_object_and_arrays(client: TestClient) -> None:
    assert push(client, json.dumps(post("o1")).encode())["new"] == 1
    array = json.dumps([post("a1"), {"id": "broken"}, post("a2")]).encode()
    result = push(client, array)
    assert result["new"] == 2
    assert result["rejected"] == [
        {
            "line": 2,
            "reason": "text: Field required; created_at: Field required; author: Field required",
        }
    ]


@pytest.mark.parametrize(
    ("headers", "message"),
    [  # signed when the test runs, not when it is collected (a long suite outlives 300 s)
        (lambda: {}, "missing X-Gardien-Timestamp"),
        (lambda: {"X-Gardien-Timestamp": "soon", "X-Gardien-Signature": "sha256=00"},
         "whole seconds"),
        (lambda: signed(b"other body"), "does not match"),
        (lambda: signed(b"{}", secret="wrong"), "does not match"),
        (lambda: signed(b"{}", at=int(time.time()) - 3600), "at most 300 s"),
    ],
)  # fmt: skip
def test_webhook_refuses_unsigned_tampered_or_stale_requests(
    client: TestClient, headers: Callable[[], dict[str, str]], message: str
) -> None:
    response = client.post("/api/v1/ingest/forum", content=b"{}", headers=headers())
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "bad_signature" and message in error["message"]


def test_webhook_for_an_unknown_channel_is_not_found(client: TestClient) -> None:
    response = client.post("/api/v1/ingest/nowhere", content=b"{}", headers=signed(b"{}"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_bad_records_in_a_webhook_do_not_stop_the_good_ones(client: TestClient) -> None:
    body = jsonl([post("g1")]) + b"\xff\xfe not utf8\n" + b"{oops\n" + jsonl([post("g2")])
    result = push(client, body)
    assert result["new"] == 2
    assert [r["line"] for r in result["rejected"]] == [2, 3]
    rejects = client.get("/api/v1/rejects").json()["items"]
    assert [r["line_no"] for r in rejects] == [2, 3]


def test_post_detail_shows_revisions_engagement_and_thread(client: TestClient) -> None:
    push(
        client,
        jsonl(
            [
                post("t1", "Root", likes=1, observed_at="2026-10-01T10:00:00Z"),
                post("t2", "Reply", thread_id="t1", parent_id="t1"),
            ]
        ),
    )
    push(
        client,
        jsonl(
            [
                post(
                    "t1",
                    "Root (edited)",
                    edited_at="2026-10-01T10:05:00Z",
                    likes=9,
                    observed_at="2026-10-01T11:00:00Z",
                )
            ]
        ),
    )
    root = next(p for p in client.get("/api/v1/posts").json()["items"] if p["external_id"] == "t1")
    detail = client.get(f"/api/v1/posts/{root['id']}").json()
    assert detail["original_text"] == "Root" and detail["post"]["text"] == "Root (edited)"
    assert [r["text"] for r in detail["revisions"]] == ["Root (edited)"]
    assert [e["likes"] for e in detail["engagement"]] == [1, 9]
    assert [p["external_id"] for p in detail["thread"]] == ["t1", "t2"]
    assert detail["signals"]["language"]["code"] in {"en", "fr"}


def test_posts_paginate_by_cursor(client: TestClient) -> None:
    push(client, jsonl([post(f"p{i}", f"post {i}") for i in range(7)]))
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/posts", params=params).json()
        seen += [p["external_id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"p{i}" for i in reversed(range(7))]


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/posts/999999", 404, "not_found"),
        ("/api/v1/posts?cursor=garbage!", 400, "bad_cursor"),
        ("/api/v1/posts?limit=0", 422, "invalid_request"),
        ("/api/v1/queues/moderation?cursor=WzFd", 400, "bad_cursor"),
        ("/api/v1/nothing-here", 404, "not_found"),
    ],
)
def test_errors_share_one_shape(client: TestClient, path: str, status: int, code: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_openapi_and_console_are_served(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/queues/moderation" in spec["paths"]
    page = client.get("/console")
    assert page.status_code == 200 and "Moderation queue" in page.text
