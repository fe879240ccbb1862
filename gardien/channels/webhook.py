"""The signed webhook channel: verify HMAC-SHA256 over timestamp + body, reject stale requests.

A sender computes ``hex(hmac_sha256(secret, f"{timestamp}.".encode() + body))`` and sends it as
``X-Gardien-Signature: sha256=<hex>`` with ``X-Gardien-Timestamp: <unix seconds>``. A request
older (or further in the future) than the tolerance is refused, so a captured request cannot be
replayed later; within the window a replay is harmless because ingest is idempotent."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from collections.abc import Iterator

from gardien.channels.parse import Limits, Parsed, iter_jsonl, parse_json_line, validate
from gardien.errors import IngestError, SignatureError

SIGNATURE_HEADER = "X-Gardien-Signature"
TIMESTAMP_HEADER = "X-Gardien-Timestamp"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for `body` sent at `timestamp` (senders and tests use this)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(
    secret: str,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float,
    tolerance: int,
) -> None:
    """Raise SignatureError unless the request is signed with `secret` and fresh."""
    if not secret:
        raise SignatureError("this channel has no webhook secret configured")
    if not timestamp or not signature:
        raise SignatureError(f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER} header")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise SignatureError(f"{TIMESTAMP_HEADER} must be whole seconds since 1970") from None
    if abs(now - sent_at) > tolerance:
        raise SignatureError(
            f"timestamp is {int(now - sent_at)} s away from now; at most {tolerance} s is accepted"
        )
    if not hmac.compare_digest(sign(secret, sent_at, body), signature.strip()):
        raise SignatureError("signature does not match the body and timestamp")


def parse_body(body: bytes, limits: Limits) -> Iterator[Parsed]:
    """A webhook body: one JSON object, a JSON array of objects, or JSON lines."""
    stripped = body.lstrip()
    if stripped.startswith(b"["):
        try:
            items = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
            yield Parsed(1, error=f"malformed JSON array: {error}")
            return
        for index, item in enumerate(items, start=1):
            try:
                yield Parsed(index, post=validate(item, limits))
            except IngestError as error:
                yield Parsed(index, error=str(error), excerpt=json.dumps(item)[:200])
        return
    if b"\n" not in body.strip():
        yield parse_json_line(body, 1, limits)
        return
    yield from iter_jsonl(io.BytesIO(body), limits)
