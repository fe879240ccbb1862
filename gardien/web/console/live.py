"""Live updates of the moderation queue as Server-Sent Events, so two moderators see each other's
claims and verdicts. The stream tails the audit log (every claim, release and verdict writes an
entry `item:<id>` in the item's community), so it works across processes with no broker, and
only sends entries of the communities the listener moderates."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Collection
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from gardien.actions import audit
from gardien.app.runtime import Runtime
from gardien.store.tables import AuditRow
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.deps import runtime

router = APIRouter(prefix="/api/v1/queues", tags=["queues"])
POLL_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0
#: A stream ends after this long; EventSource reconnects by itself (and resumes by Last-Event-ID).
STREAM_SECONDS = 300.0


def latest_audit_id(rt: Runtime) -> int:
    with rt.database.session() as session:
        return int(session.scalar(select(func.max(AuditRow.id))) or 0)


def item_events(rt: Runtime, after_id: int, communities: Collection[str]) -> list[dict[str, Any]]:
    """Audit entries about queue items after `after_id`, of `communities`, oldest first."""
    with rt.database.session() as session:
        slugs = {key: slug for slug, key in audit.community_ids(session, communities).items()}
        rows = list(
            session.scalars(
                select(AuditRow)
                .where(
                    AuditRow.id > after_id,
                    AuditRow.community_id.in_(sorted(slugs)),
                    AuditRow.target.like("item:%"),
                )
                .order_by(AuditRow.id)
                .limit(500)
            )
        )
    return [
        {
            "id": row.id,
            "item": int(row.target[5:]),
            "community": slugs[row.community_id],
            "action": row.action,
            "actor": row.actor,
            "at": row.at.isoformat(),
            "until": (row.detail or {}).get("until"),
        }
        for row in rows
        if row.target[5:].isdigit() and row.community_id is not None
    ]


async def stream(
    request: Request, rt: Runtime, communities: frozenset[str], start: int
) -> AsyncIterator[str]:
    last, began, quiet = start, time.monotonic(), time.monotonic()
    yield f"retry: 2000\nid: {last}\n\n"
    while time.monotonic() - began < STREAM_SECONDS and not await request.is_disconnected():
        events = await run_in_threadpool(item_events, rt, last, communities)
        for event in events:
            last = event["id"]
            yield f"event: item\nid: {last}\ndata: {json.dumps(event)}\n\n"
        if events:
            quiet = time.monotonic()
        elif time.monotonic() - quiet > HEARTBEAT_SECONDS:
            quiet = time.monotonic()
            yield ": still here\n\n"
        await asyncio.sleep(POLL_SECONDS)


@router.get(
    "/moderation/events",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {
                "text/event-stream": {
                    "example": 'event: item\nid: 42\ndata: {"id": 42, "item": 7, "community": '
                    '"velo", "action": "item.claim", "actor": "user:ana", "at": '
                    '"2026-10-02T08:15:00+00:00", "until": "2026-10-02 08:25:00+00:00"}\n\n'
                }
            },
            "description": "Server-Sent Events: one `item` event per claim, release or verdict.",
        }
    },
)
async def moderation_events(
    request: Request,
    rt: Annotated[Runtime, Depends(runtime)],
    principal: Annotated[Principal, Depends(require(Role.moderator))],
    community: str | None = None,
) -> StreamingResponse:
    """Claims, releases and verdicts on the moderation queue as they happen (Server-Sent Events),
    for the communities the caller moderates. Resumes after `Last-Event-ID` when given."""
    communities = principal.communities(Role.moderator)
    if community:
        communities = frozenset({access_community(principal, community, Role.moderator)})
    resume = request.headers.get("last-event-id", "")
    start = int(resume) if resume.isdigit() else await run_in_threadpool(latest_audit_id, rt)
    return StreamingResponse(
        stream(request, rt, communities, start),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
