"""Reported content: anyone who works in a community (any role) reports a post, which opens or
bumps its moderation item; moderators see the reports with the item and dismiss unfounded ones.
Channel bridges relay their users' reports through a route signed like the ingest webhook and
rate-limited per reporter and per channel."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from gardien.actions import reports as actions
from gardien.actions.members import Who
from gardien.app.runtime import Runtime
from gardien.channels import webhook
from gardien.domain.time import utcnow
from gardien.errors import IngestError
from gardien.store import members_reports
from gardien.store.communities import find_channel
from gardien.store.tables_members import ModerationItemRow, ReportRow
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.api.members import Db, Moderator, Rt, who
from gardien.web.auth.ratelimit import AttemptLimiter
from gardien.web.errors import error_body

router = APIRouter(prefix="/api/v1", tags=["moderation"])
Reader = Annotated[Principal, Depends(require(*Role))]
Reason = Literal["spam", "abuse", "harassment", "hate", "illegal", "off_topic", "other"]


class ReportIn(BaseModel):
    reason: Reason
    note: str = Field("", max_length=2000)


class ReportOut(BaseModel):
    id: int
    item_id: int
    post_id: int
    reason: str
    status: str
    item_status: str
    item_severity: float
    reports: int


class BridgeReportIn(BaseModel):
    post: str = Field(min_length=1, max_length=200, description="The post's id on the channel.")
    reporter: str = Field(min_length=1, max_length=150, description="The reporting user's id.")
    reason: Reason
    note: str = Field("", max_length=2000)


#: Reports a bridge may relay: per reporting user per hour, and per channel per minute.
PER_REPORTER, PER_CHANNEL = (10, 3600.0), (120, 60.0)


class DismissIn(BaseModel):
    note: str = Field("", max_length=2000)


@router.post("/posts/{post_id}/reports", response_model=ReportOut, status_code=201)
def report(post_id: int, body: ReportIn, principal: Reader, db: Db) -> ReportOut:
    """Report a post of a community one works in: it enters the review queue (or its item
    there rises in severity); one report per person and post (409 for a second)."""
    access_community(principal, members_reports.post_community(db, post_id))
    row, item = actions.do_report(db, who(principal), post_id, body.reason, body.note)
    return _out(db, row, item)


def _out(db: Session, row: ReportRow, item: ModerationItemRow) -> ReportOut:
    found = members_reports.reports_by_item(db, [item.id])[item.id]
    return ReportOut(
        id=row.id,
        item_id=item.id,
        post_id=row.post_id,
        reason=row.reason,
        status=row.status,
        item_status=item.status,
        item_severity=item.severity,
        reports=sum(1 for each in found if each["status"] == "open"),
    )


@router.post("/moderation/reports/{report_id}/dismiss")
def dismiss(report_id: int, body: DismissIn, principal: Moderator, db: Db) -> dict[str, Any]:
    """Dismiss a report as unfounded (audited); the item's severity drops back."""
    access_community(principal, members_reports.report_community(db, report_id), Role.moderator)
    row = actions.do_dismiss_report(db, who(principal), report_id, body.note)
    return members_reports.report_view(row)


def _limiters(request: Request) -> tuple[AttemptLimiter, AttemptLimiter]:
    state = request.app.state
    if not hasattr(state, "bridge_report_limits"):
        state.bridge_report_limits = (AttemptLimiter(*PER_REPORTER), AttemptLimiter(*PER_CHANNEL))
    limits: tuple[AttemptLimiter, AttemptLimiter] = state.bridge_report_limits
    return limits


@router.post("/ingest/{channel}/reports", response_model=ReportOut, status_code=201)
async def bridge_report(channel: str, request: Request, rt: Rt) -> Any:
    """A channel's user reported a post there: signed like the ingest webhook (the channel's
    secret), `{"post", "reporter", "reason", "note"}`; 429 with Retry-After past the limits."""
    body = await request.body()
    secret = await run_in_threadpool(_channel_secret, rt, channel)
    webhook.verify(
        secret or rt.settings.webhook_secret.get_secret_value(),
        request.headers.get(webhook.TIMESTAMP_HEADER),
        request.headers.get(webhook.SIGNATURE_HEADER),
        body,
        time.time(),
        rt.settings.webhook_tolerance_seconds,
    )
    try:
        data = BridgeReportIn.model_validate_json(body)
    except ValidationError as error:
        raise IngestError(f"not a report: {error.errors()[0]['msg']}") from None
    by_reporter, by_channel = _limiters(request)
    keys = (f"{channel}:{data.reporter}", channel)
    wait = max(by_reporter.retry_after(keys[0]), by_channel.retry_after(keys[1]))
    if wait:
        message = f"too many reports from {channel}; retry in {wait} s"
        return JSONResponse(
            error_body("rate_limited", message), status_code=429, headers={"Retry-After": str(wait)}
        )
    by_reporter.failed(keys[0])
    by_channel.failed(keys[1])
    return await run_in_threadpool(_bridge_report, rt, channel, data)


def _channel_secret(rt: Runtime, channel: str) -> str:
    with rt.database.session() as session:
        return str(find_channel(session, channel).settings.get("webhook_secret", ""))


def _bridge_report(rt: Runtime, channel: str, data: BridgeReportIn) -> ReportOut:
    with rt.database.session() as db:
        post_id = members_reports.post_on_channel(db, channel, data.post)
        reporter = Who(f"channel:{channel}:{data.reporter}", utcnow())
        row, item = actions.do_report(db, reporter, post_id, data.reason, data.note)
        return _out(db, row, item)
