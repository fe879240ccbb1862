"""Fires and deadlines change here: SLA warnings and breaches recorded, alerts raised (and sent
to every destination through the outbox), refreshed and closed — each with its audit entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.actions import audit, outbox
from gardien.care.sla import SlaStatus
from gardien.care.spikes import SpikeCheck
from gardien.domain import AuditEntry, OutboundAction
from gardien.store import care_config as config
from gardien.store.care_cases import add_event
from gardien.store.tables import CommunityRow
from gardien.store.tables_care import AlertRow, CaseRow, SlaBreachRow

SLA_ACTOR = "rule:sla"
FIRES_ACTOR = "rule:fires"
#: The outbox channel name under which alert deliveries are queued.
ALERT_CHANNEL = "care-alerts"


def do_record_sla(
    session: Session, case: CaseRow, kind: str, sla: SlaStatus, now: datetime
) -> bool:
    """Record a warning or a breach of the case's `kind` deadline once; True when new."""
    exists = session.scalar(
        select(SlaBreachRow.id).where(
            SlaBreachRow.case_id == case.id,
            SlaBreachRow.kind == kind,
            SlaBreachRow.stage == sla.state.value,
            SlaBreachRow.due_at == sla.due_at,
        )
    )
    if exists is not None:
        return False
    session.add(
        SlaBreachRow(case_id=case.id, kind=kind, stage=sla.state.value, due_at=sla.due_at, at=now)
    )
    message = f"{kind.replace('_', ' ')} {sla.state.value}: due {sla.due_at.isoformat()}"
    audit.record(
        session,
        AuditEntry(
            at=now,
            actor=SLA_ACTOR,
            action=f"care.sla_{sla.state.value}",
            target=f"case:{case.id}",
            reason=message,
            detail={"kind": kind, "due_at": sla.due_at.isoformat(), "tier": case.tier},
            community_id=case.community_id,
        ),
    )
    add_event(session, case.id, now, SLA_ACTOR, f"sla_{sla.state.value}", message, {"kind": kind})
    return True


def _queue_deliveries(session: Session, alert: AlertRow, now: datetime) -> None:
    slug = session.scalar(select(CommunityRow.slug).where(CommunityRow.id == alert.community_id))
    payload = alert_payload(alert, slug or "")
    for kind, target in config.destinations(session, alert.community_id):
        outbox.enqueue(
            session,
            f"care:alert:{alert.id}:{kind}:{target}",
            OutboundAction(ALERT_CHANNEL, f"alert.{kind}", target, payload),
            now,
        )


def alert_payload(alert: AlertRow, community: str) -> dict[str, Any]:
    """What a webhook receives (and an e-mail says): the alert and its numbers."""
    return {
        "alert": alert.id,
        "community": community,
        "kind": alert.kind,
        "key": alert.key,
        "raised_at": alert.raised_at.isoformat(),
        "started_at": alert.started_at.isoformat() if alert.started_at else None,
        "observed": alert.observed,
        "expected": alert.expected,
        "case": alert.case_id,
        "detail": dict(alert.detail or {}),
    }


def _raise(session: Session, alert: AlertRow, now: datetime, reason: str) -> AlertRow:
    session.add(alert)
    session.flush()
    audit.record(
        session,
        AuditEntry(
            at=now,
            actor=FIRES_ACTOR,
            action=f"care.alert_{alert.kind}",
            target=f"alert:{alert.id}",
            reason=reason,
            detail={"key": alert.key, "observed": alert.observed, "expected": alert.expected},
            community_id=alert.community_id,
        ),
    )
    _queue_deliveries(session, alert, now)
    return alert


def do_raise_spike(
    session: Session, community: int, check: SpikeCheck, post_ids: list[int], now: datetime
) -> AlertRow:
    """A fire: negative posts on one key well above their seasonal baseline."""
    alert = AlertRow(
        community_id=community,
        kind="spike",
        key=check.key,
        status="open",
        raised_at=now,
        started_at=check.started_at,
        last_seen_at=now,
        observed=check.observed,
        expected=check.expected,
        detail={"p_value": check.p_value, "posts": post_ids[:200]},
    )
    reason = (
        f"{check.observed} negative posts on {check.key} in the last "
        f"{int((check.window_end - check.window_start).total_seconds() // 60)} min, "
        f"{check.expected:.2f} expected (p = {check.p_value:.2g})"
    )
    return _raise(session, alert, now, reason)


def do_refresh_spike(session: Session, alert: AlertRow, check: SpikeCheck, now: datetime) -> None:
    """The fire still burns: keep its numbers current (no new alert, no new audit entry)."""
    alert.last_seen_at = now
    alert.observed = max(alert.observed, check.observed)


def do_close_alert(session: Session, alert: AlertRow, now: datetime, actor: str, why: str) -> None:
    alert.status, alert.closed_at = "closed", now
    audit.record(
        session,
        AuditEntry(at=now, actor=actor, action="care.alert_close", target=f"alert:{alert.id}",
                   reason=why, detail={"key": alert.key}, community_id=alert.community_id),
    )  # fmt: skip


def do_raise_risk_alert(session: Session, case: CaseRow, now: datetime) -> AlertRow:
    """A case whose virality risk climbed into the urgent tier: it jumps the queue and alerts."""
    case.risk_alerted_at = now
    add_event(session, case.id, now, FIRES_ACTOR, "risk_alert", f"risk {case.priority:.0f}")
    alert = AlertRow(
        community_id=case.community_id,
        kind="risk",
        key=f"case:{case.id}",
        status="open",
        raised_at=now,
        started_at=case.opened_at,
        last_seen_at=now,
        observed=0,
        expected=0.0,
        case_id=case.id,
        detail={"risk": case.priority, "parts": case.risk_parts.get("parts", [])},
    )
    return _raise(session, alert, now, f"case {case.id} risk rose to {case.priority:.0f}")
