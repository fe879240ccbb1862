"""Reported content: a reader's report of a post opens the post's moderation item, or bumps it
(each report from another person raises its severity, up to a cap), and stays attached to the
item so the moderator sees who reported what, why and when. Dismissing a report is a moderator's
action; when the last open report of an item opened only by reports is dismissed, the item
leaves the queue as ``dismissed``.

A verdict on the item answers its open reports (status ``handled``). A new report on a post
whose item was already handled reopens the item when the post is still up (approved, dismissed,
upheld, censored): a reader saw something the last decision did not settle. On a post already
hidden or removed there is nothing left to act on: the report is kept, already handled."""

from __future__ import annotations

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gardien.actions.members import Who, write_audit
from gardien.errors import ConflictError, NotFoundError
from gardien.store import members_repo as repo
from gardien.store.tables_members import ModerationItemRow, ReportRow
from gardien.store.upsert import insert_ignoring_duplicates

REASONS = ("spam", "abuse", "harassment", "hate", "illegal", "off_topic", "other")
#: An item opened by a report starts here; each further report adds a step, up to MAX_STEPS.
BASE_SEVERITY = 0.5
STEP = 0.25
MAX_STEPS = 4
#: The moderation item's `action` when only readers' reports put the post in the queue.
REPORTED = "report"
#: Item statuses that leave the post up on its channel: a new report reopens the item.
STILL_UP = ("approved", "dismissed", "upheld", "censored")


def do_report(
    session: Session, who: Who, post_id: int, reason: str, note: str = ""
) -> tuple[ReportRow, ModerationItemRow]:
    """Record `who`'s report of a post and open or bump its moderation item (one report per
    person and post: a second answers 409)."""
    found = repo.post_facts(session, post_id)
    community_id = found.community.id
    reported = session.scalar(
        select(ReportRow.id).where(ReportRow.post_id == post_id, ReportRow.reporter == who.actor)
    )
    if reported is not None:
        raise ConflictError(f"you already reported post {post_id} (report {reported})")
    session.execute(
        insert_ignoring_duplicates(session, ModerationItemRow),
        [
            {
                "post_id": post_id,
                "community_id": community_id,
                "action": REPORTED,
                "severity": BASE_SEVERITY,
                "status": "open",
                "created_at": who.now,
            }
        ],
    )
    item = session.scalars(
        select(ModerationItemRow)
        .where(ModerationItemRow.post_id == post_id)
        .execution_options(populate_existing=True)
    ).one()
    reopened = item.status in STILL_UP and _reopen(session, who, item)
    earlier = _open_reports(session, item.id)
    report = ReportRow(
        item_id=item.id,
        post_id=post_id,
        community_id=community_id,
        reporter=who.actor,
        reason=reason,
        note=note,
        created_at=who.now,
        status="open" if item.status == "open" else "handled",
    )
    try:
        with session.begin_nested():  # two clicks at once: the second is told, not a 500
            session.add(report)
    except IntegrityError:
        raise ConflictError(f"you already reported post {post_id}") from None
    if item.status == "open":
        _shift(session, item.id, STEP * (_steps(item, earlier + 1) - _steps(item, earlier)))
    write_audit(
        session,
        who,
        "post.report",
        f"post:{post_id}",
        f"{reason}: {note}" if note else reason,
        community_id=community_id,
        item=item.id,
        report=report.id,
        reports=earlier + 1,
        reopened=reopened,
    )
    session.refresh(item)
    return report, item


def _reopen(session: Session, who: Who, item: ModerationItemRow) -> bool:
    """Put a handled item back in the queue as opened by this report (its reports before were
    answered by the verdict); the verdict stays in the audit log. False if it changed meanwhile."""
    handled = (item.status, item.resolved_by)
    result = session.execute(
        update(ModerationItemRow)
        .where(ModerationItemRow.id == item.id, ModerationItemRow.status == item.status)
        .values(
            status="open",
            action=REPORTED,
            severity=BASE_SEVERITY,
            resolved_by=None,
            resolved_at=None,
            rule=None,
            claimed_by=None,
            claim_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(item)
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    write_audit(
        session,
        who,
        "item.reopen",
        f"item:{item.id}",
        f"reported after it was {handled[0]} by {handled[1]}",
        community_id=item.community_id,
        post=item.post_id,
        was=handled[0],
    )
    return True


def answer_reports(session: Session, item_id: int) -> None:
    """A verdict on the item answers its open reports (called when a moderator takes it)."""
    session.execute(
        update(ReportRow)
        .where(ReportRow.item_id == item_id, ReportRow.status == "open")
        .values(status="handled")
        .execution_options(synchronize_session=False)
    )


def do_dismiss_report(session: Session, who: Who, report_id: int, note: str = "") -> ReportRow:
    """Dismiss a report as unfounded; the item's severity goes back down one step, and an item
    that only reports put in the queue leaves it with the last one (unless someone else holds
    it)."""
    report = session.scalar(select(ReportRow).where(ReportRow.id == report_id).with_for_update())
    if report is None:
        raise NotFoundError(f"no report {report_id}")
    if report.status == "handled":
        raise ConflictError(f"report {report_id} was already answered by a moderator's verdict")
    if report.status != "open":
        raise ConflictError(f"report {report_id} was already dismissed by {report.dismissed_by}")
    report.status, report.dismissed_by = "dismissed", who.actor
    report.dismissed_at, report.dismiss_note = who.now, note
    session.flush()
    remaining = _open_reports(session, report.item_id)
    item = session.get_one(ModerationItemRow, report.item_id)
    closed = False
    if item.status == "open":
        _shift(session, item.id, STEP * (_steps(item, remaining) - _steps(item, remaining + 1)))
    if item.status == "open" and item.action == REPORTED and not remaining:
        closed = _close(session, who, item.id)
    write_audit(
        session,
        who,
        "report.dismiss",
        f"post:{report.post_id}",
        note or "report dismissed",
        community_id=report.community_id,
        item=report.item_id,
        report=report.id,
        remaining=remaining,
        item_closed=closed,
    )
    return report


def _steps(item: ModerationItemRow, reports: int) -> int:
    """How many severity steps `reports` open reports add (the report that opened an item
    counts as its base severity)."""
    return min(max(reports - (1 if item.action == REPORTED else 0), 0), MAX_STEPS)


def _open_reports(session: Session, item_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(ReportRow)
            .where(ReportRow.item_id == item_id, ReportRow.status == "open")
        )
        or 0
    )


def _shift(session: Session, item_id: int, by: float) -> None:
    """Move the item's severity by `by` in one UPDATE (concurrent reports add up)."""
    if by:
        session.execute(
            update(ModerationItemRow)
            .where(ModerationItemRow.id == item_id)
            .values(severity=ModerationItemRow.severity + by)
            .execution_options(synchronize_session=False)
        )


def _close(session: Session, who: Who, item_id: int) -> bool:
    """Take the item out of the queue as dismissed, unless another moderator holds it."""
    result = session.execute(
        update(ModerationItemRow)
        .where(
            ModerationItemRow.id == item_id,
            ModerationItemRow.status == "open",
            or_(
                ModerationItemRow.claimed_by.is_(None),
                ModerationItemRow.claimed_by == who.actor,
                ModerationItemRow.claim_expires_at < who.now,
            ),
        )
        .values(
            status="dismissed",
            resolved_by=who.actor,
            resolved_at=who.now,
            claimed_by=None,
            claim_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
