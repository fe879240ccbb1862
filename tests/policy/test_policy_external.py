"""The external check against a real HTTP server on 127.0.0.1: signed, timed out, fallen back."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from gardien.domain import Action, Community
from gardien.pipeline import StageContext, TriageRecord
from gardien.pipeline.record import CommunityConfig
from gardien.policy.compiler import compile_text
from gardien.policy.evaluator import EXTERNAL_ERROR_FLAG, evaluate
from gardien.policy.external import SIGNATURE_HEADER, TIMESTAMP_HEADER, ExternalCheckStage, sign
from tests.policy.policy_factories import author, post

SECRET = "brand-secret"


class Brand(BaseHTTPRequestHandler):
    """The brand's endpoint: flags posts that mention a competitor; slow on demand."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        expected = sign(SECRET, self.headers[TIMESTAMP_HEADER], body)
        if self.headers[SIGNATURE_HEADER] != expected:
            self.send_response(401)
            self.end_headers()
            return
        text = json.loads(body)["post"]["text"]
        if "slow" in text:
            time.sleep(0.5)
        answer = {"score": 0.95 if "competitor" in text else 0.1, "reason": "brand rules"}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        """Quiet: tests read results, not logs."""


@pytest.fixture(scope="module")
def brand_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Brand)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/check"
    server.shutdown()
    server.server_close()


def judge(url: str, text: str, secret: str = SECRET) -> TriageRecord:
    policy = compile_text(
        "community: acme\nexternal_check:\n"
        f"  url: {url}\n  secret_env: ACME_SECRET\n  timeout_ms: 200\n"
        "  above: 0.9\n  action: hold\n  on_error: flag\n"
    )
    context = StageContext({"acme": CommunityConfig(Community("acme", "Acme"), policy)})
    record = TriageRecord("acme", post(text), author=author())
    with httpx.Client() as client:
        ExternalCheckStage(client, {"ACME_SECRET": secret})([record], context)
    record.decision = evaluate(record.post, record.author, None, record.signals, policy)
    return record


def test_a_signed_request_gets_a_score_that_the_policy_reads(brand_url: str) -> None:
    record = judge(brand_url, "I prefer the competitor")
    assert record.signals.scores["external"].value == 0.95
    assert record.decision is not None and record.decision.action is Action.HOLD
    assert judge(brand_url, "hello").decision.action is Action.ALLOW  # type: ignore[union-attr]


def test_timeout_falls_back_as_configured(brand_url: str) -> None:
    record = judge(brand_url, "slow competitor")
    assert record.signals.flags[EXTERNAL_ERROR_FLAG] == "timeout"
    assert record.decision is not None and record.decision.action is Action.FLAG


def test_a_refused_signature_is_an_error_not_a_crash(brand_url: str) -> None:
    record = judge(brand_url, "competitor", secret="wrong")
    assert record.signals.flags[EXTERNAL_ERROR_FLAG] == "HTTP 401"


def test_unreachable_endpoint_falls_back() -> None:
    record = judge("http://127.0.0.1:9/check", "competitor")
    assert record.signals.flags[EXTERNAL_ERROR_FLAG].startswith("unreachable")
