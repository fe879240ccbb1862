"""External check: ask the brand's own HTTP endpoint about a post, as one more signal.

The contract (docs/POLICY.md, "External check"): Gardien POSTs JSON with the post and its author,
signed with HMAC-SHA256 over ``"<timestamp>.<body>"`` in ``X-Gardien-Signature: sha256=<hex>``
and ``X-Gardien-Timestamp``; the endpoint answers ``{"score": 0.0-1.0, "reason": "..."}``.
A time-out, an HTTP error or a malformed answer never raises: it becomes the
``external_error`` flag, and the policy's ``on_error`` action applies.

This is the one I/O of the policy engine; it runs as its own stage, before `decide`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from gardien.domain import Author, Post, Score, Signals
from gardien.pipeline.record import StageContext, TriageRecord
from gardien.pipeline.watched_words import language_of, policy_for
from gardien.policy.evaluator import EXTERNAL_ERROR_FLAG
from gardien.policy.schema import ExternalCheck

SIGNATURE_HEADER = "X-Gardien-Signature"
TIMESTAMP_HEADER = "X-Gardien-Timestamp"


@dataclass(frozen=True, slots=True)
class ExternalResult:
    """The endpoint's score, or why there is none."""

    score: float | None = None
    reason: str = ""
    error: str = ""

    def apply(self, signals: Signals) -> None:
        """Record the result as the ``external`` score, or as the error flag."""
        if self.error or self.score is None:
            signals.flags[EXTERNAL_ERROR_FLAG] = self.error or "no score"
        else:
            signals.scores["external"] = Score(self.score, model="external")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def payload(post: Post, author: Author | None, community: str, language: str | None) -> bytes:
    """The JSON body sent for one post (keys sorted, so signatures are reproducible)."""
    data: dict[str, Any] = {
        "community": community,
        "post": {
            "channel": post.channel,
            "id": post.external_id,
            "text": post.text,
            "language": language,
            "created_at": post.created_at.isoformat(),
            "thread_id": post.thread_id,
            "parent_id": post.parent_id,
        },
        "author": None
        if author is None
        else {
            "id": author.external_id,
            "handle": author.handle,
            "followers": author.followers,
            "created_at": None if author.created_at is None else author.created_at.isoformat(),
        },
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False).encode()


def ask(
    check: ExternalCheck,
    body: bytes,
    secret: str,
    client: httpx.Client,
    clock: Callable[[], float] = time.time,
) -> ExternalResult:
    """POST one signed body; any failure is an ExternalResult with `error`, never an exception."""
    timestamp = str(int(clock()))
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    try:
        response = client.post(
            check.url, content=body, headers=headers, timeout=check.timeout_ms / 1000
        )
        response.raise_for_status()
        data = response.json()
        score = float(data["score"])
    except httpx.TimeoutException:
        return ExternalResult(error="timeout")
    except httpx.HTTPStatusError as error:
        return ExternalResult(error=f"HTTP {error.response.status_code}")
    except httpx.HTTPError as error:
        return ExternalResult(error=f"unreachable: {type(error).__name__}")
    except (ValueError, KeyError, TypeError):
        return ExternalResult(error='malformed answer (expected {"score": 0.0-1.0})')
    if not 0.0 <= score <= 1.0:
        return ExternalResult(error=f"score {score} outside 0-1")
    return ExternalResult(score=score, reason=str(data.get("reason", "")))


class ExternalCheckStage:
    """Asks each community's endpoint (when its policy has one) and records the answer."""

    name = "external_check"
    needs = frozenset({"language"})
    sets = frozenset({"score.external"})

    def __init__(self, client: httpx.Client | None = None, environ: dict[str, str] | None = None):
        self._client = client or httpx.Client()
        self._environ = os.environ if environ is None else environ

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        for record in batch:
            check = policy_for(context, record.community).external
            if check is None:
                continue
            secret = self._environ.get(check.secret_env, "") if check.secret_env else ""
            body = payload(record.post, record.author, record.community, language_of(record))
            ask(check, body, secret, self._client).apply(record.signals)
