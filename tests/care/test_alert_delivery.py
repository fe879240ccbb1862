"""Alerts leave by webhook (an HTTP POST to a server on 127.0.0.1) and by e-mail (to an SMTP
server on 127.0.0.1), through the outbox: once per destination, retried when a server fails."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from gardien.app.care import AlertTransport, check_care, deliver_alerts
from gardien.app.runtime import Runtime
from gardien.domain import utcnow
from tests.care.conftest import as_, complaint, feed


class Hooks(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], dict[str, Any]]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        """Quiet."""


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


@pytest.fixture
def webhook() -> Iterator[str]:
    Hooks.received = []
    server = HTTPServer(("127.0.0.1", 0), Hooks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/gardien"
    server.shutdown()
    server.server_close()


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    with socket.socket() as probe:  # a free port (the controller checks it can connect)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


def test_a_climbing_case_alerts_by_webhook_and_email(
    care_runtime: Runtime,
    client: TestClient,
    tokens: dict[str, str],
    webhook: str,
    mailbox: tuple[Mailbox, int],
) -> None:
    boss = as_(tokens["camille"])
    for kind, target in (("webhook", webhook), ("email", "crisis@velorouge.example")):
        response = client.post("/api/v1/care/communities/velo/alert-destinations", headers=boss,
                               json={"kind": kind, "target": target})  # fmt: skip
        assert response.status_code == 204
    t0 = utcnow() - timedelta(minutes=40)
    post = complaint("lena", "My Rhône E7 battery caught fire on the school run", t0, "lena",
                     followers=48_200)  # fmt: skip
    feed(care_runtime, [post])
    for minutes, likes, shares in ((10, 20, 5), (20, 90, 30), (30, 300, 120), (40, 800, 350)):
        at = (t0 + timedelta(minutes=minutes)).isoformat()
        feed(care_runtime, [dict(post, likes=likes, shares=shares, observed_at=at)], f"r{minutes}")
    assert len(check_care(care_runtime.database, utcnow()).risk_alerts) == 1

    box, port = mailbox
    report = deliver_alerts(care_runtime.database, utcnow(), AlertTransport("127.0.0.1", port))
    assert report.delivered == 2
    ((headers, payload),) = Hooks.received
    assert payload["kind"] == "risk" and payload["community"] == "velo"
    assert headers["Idempotency-Key"].startswith("care:alert:")
    assert [part["name"] for part in payload["detail"]["parts"]][:2] == ["reach", "velocity"]
    ((_, recipients, message),) = box.messages
    assert recipients == ["crisis@velorouge.example"]
    assert "Subject: [Gardien] risk alert on case:" in message

    again = deliver_alerts(care_runtime.database, utcnow(), AlertTransport("127.0.0.1", port))
    assert again.delivered == 0 and len(Hooks.received) == 1  # once per destination


def test_a_failing_webhook_is_retried_later(
    care_runtime: Runtime, client: TestClient, tokens: dict[str, str]
) -> None:
    client.post("/api/v1/care/communities/velo/alert-destinations", headers=as_(tokens["camille"]),
                json={"kind": "webhook", "target": "http://127.0.0.1:9/nobody-listens"})  # fmt: skip
    t0 = utcnow() - timedelta(minutes=40)
    post = complaint("big", "Rhône E7 fire hazard", t0, "lena", followers=900_000)
    feed(care_runtime, [post])
    for minutes, likes in ((10, 50), (20, 400), (30, 1500), (40, 4000)):
        at = (t0 + timedelta(minutes=minutes)).isoformat()
        feed(
            care_runtime, [dict(post, likes=likes, shares=likes // 3, observed_at=at)], f"{minutes}"
        )
    check_care(care_runtime.database, utcnow())
    report = deliver_alerts(care_runtime.database, utcnow(), AlertTransport(timeout=2))
    assert (report.delivered, report.retried) == (0, 1)
