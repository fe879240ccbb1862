"""Operations: health and readiness probes, Prometheus metrics, JSON logs with request ids."""

from __future__ import annotations

import io
import json
import logging
import time

from fastapi.testclient import TestClient
from pydantic import SecretStr

from gardien.app.runtime import Runtime
from gardien.channels import webhook
from gardien.ops.logs import JsonFormatter, log_context
from gardien.web.app import create_app
from tests.factories import jsonl, post

RUDE = "Tu es un connard, va te faire foutre"


def signed(body: bytes, secret: str = "forum-secret") -> dict[str, str]:
    now = int(time.time())
    return {
        webhook.TIMESTAMP_HEADER: str(now),
        webhook.SIGNATURE_HEADER: webhook.sign(secret, now, body),
        "Content-Type": "application/x-ndjson",
    }


def test_probes_answer_without_an_account(runtime: Runtime) -> None:
    with TestClient(create_app(runtime)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok"}


def test_metrics_count_posts_stages_and_requests(runtime: Runtime) -> None:
    body = jsonl([post("m-1", "Bonjour à tous"), post("m-2", RUDE)])
    with TestClient(create_app(runtime)) as client:
        answer = client.post("/api/v1/ingest/forum", content=body, headers=signed(body))
        assert answer.status_code == 200, answer.text
        assert answer.headers["X-Request-ID"]
        text = client.get("/metrics").text
    values = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }
    assert values["gardien_posts_ingested_total"] == 2
    assert values["gardien_posts_judged_total"] == 2
    assert values["gardien_posts_pending"] == 0
    assert values['gardien_queue_depth{queue="inline"}'] == 0
    assert values["gardien_dead_letters_total"] == 0
    assert values['gardien_stage_seconds_count{stage="decide"}'] >= 1
    assert values['gardien_http_requests_total{method="POST",status="200"}'] >= 1
    assert "gardien_sla_breaches_total" in text and "gardien_errors_total" in text


def test_metrics_ask_for_the_token_when_one_is_set(runtime: Runtime) -> None:
    runtime.settings = runtime.settings.model_copy(update={"metrics_token": SecretStr("s3cret")})
    with TestClient(create_app(runtime)) as client:
        refused = client.get("/metrics")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "unauthenticated"
        allowed = client.get("/metrics", headers={"Authorization": "Bearer s3cret"})
        assert allowed.status_code == 200


def test_log_lines_are_json_with_the_ids_of_the_work() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("gardien.test.ops")
    logger.addHandler(handler)
    try:
        with log_context(request_id="r-1"), log_context(post_ids=[7]):
            logger.warning("judged", extra={"judged": 1})
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["request_id"] == "r-1" and line["post_ids"] == [7]
    assert line["message"] == "judged" and line["judged"] == 1 and line["level"] == "warning"
