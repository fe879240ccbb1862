"""The signed webhook: posts pushed by a channel, stored idempotently and triaged on arrival."""

from __future__ import annotations

import hashlib
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from gardien.app.ingest import ingest_and_triage
from gardien.app.runtime import Runtime
from gardien.channels import webhook
from gardien.errors import IngestError
from gardien.store.communities import find_channel
from gardien.web.api.schemas import IngestOut
from gardien.web.deps import runtime

router = APIRouter(prefix="/api/v1", tags=["ingest"])
MAX_BODY_BYTES = 10_000_000


@router.post(
    "/ingest/{channel}",
    response_model=IngestOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    },
)
async def ingest(
    channel: str, request: Request, rt: Annotated[Runtime, Depends(runtime)]
) -> IngestOut:
    """Accept posts (one JSON object, an array, or JSON lines) signed with the channel's secret:
    header X-Gardien-Signature = sha256=HMAC(secret, "<timestamp>." + body), and
    X-Gardien-Timestamp = unix seconds. Bad records are rejected one by one; the rest land."""
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise IngestError(f"body over {MAX_BODY_BYTES} bytes; split it into several requests")
    secret = await run_in_threadpool(_channel_secret, rt, channel)
    webhook.verify(
        secret or rt.settings.webhook_secret.get_secret_value(),
        request.headers.get(webhook.TIMESTAMP_HEADER),
        request.headers.get(webhook.SIGNATURE_HEADER),
        body,
        time.time(),
        rt.settings.webhook_tolerance_seconds,
    )
    source = f"webhook:{channel}:{hashlib.sha256(body).hexdigest()[:32]}"
    parsed = webhook.parse_body(body, rt.limits)
    result = await run_in_threadpool(ingest_and_triage, rt, channel, source, parsed)
    counts = result.report.counts
    return IngestOut(
        accepted=counts.new + counts.edited + counts.unchanged,
        new=counts.new,
        edited=counts.edited,
        unchanged=counts.unchanged,
        engagement_points=counts.engagement_points,
        rejected=[{"line": line, "reason": reason} for line, reason in result.report.rejects],
        triaged=result.triaged,
    )


def _channel_secret(rt: Runtime, channel: str) -> str:
    with rt.database.session() as session:
        return str(find_channel(session, channel).settings.get("webhook_secret", ""))
