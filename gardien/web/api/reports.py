"""Reported content: anyone who works in a community (any role) reports a post, which opens or
bumps its moderation item; moderators see the reports with the item and dismiss unfounded ones."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from gardien.actions import reports as actions
from gardien.store import members_reports
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.api.members import Db, Moderator, who

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


class DismissIn(BaseModel):
    note: str = Field("", max_length=2000)


@router.post("/posts/{post_id}/reports", response_model=ReportOut, status_code=201)
def report(post_id: int, body: ReportIn, principal: Reader, db: Db) -> ReportOut:
    """Report a post of a community one works in: it enters the review queue (or its item
    there rises in severity); one report per person and post (409 for a second)."""
    access_community(principal, members_reports.post_community(db, post_id))
    row, item = actions.do_report(db, who(principal), post_id, body.reason, body.note)
    found = members_reports.reports_by_item(db, [item.id])[item.id]
    count = sum(1 for each in found if each["status"] == "open")
    return ReportOut(
        id=row.id,
        item_id=item.id,
        post_id=post_id,
        reason=row.reason,
        status=row.status,
        item_status=item.status,
        item_severity=item.severity,
        reports=count,
    )


@router.post("/moderation/reports/{report_id}/dismiss")
def dismiss(report_id: int, body: DismissIn, principal: Moderator, db: Db) -> dict[str, Any]:
    """Dismiss a report as unfounded (audited); the item's severity drops back."""
    access_community(principal, members_reports.report_community(db, report_id), Role.moderator)
    row = actions.do_dismiss_report(db, who(principal), report_id, body.note)
    return members_reports.report_view(row)
