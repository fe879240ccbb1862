"""The care inbox's periodic check (run every few minutes): rescore open cases from their new
engagement readings and alert on climbing ones, record SLA warnings and breaches, and detect
fires; and the delivery of alerts by webhook and e-mail (through the outbox)."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from gardien.actions.care import rescore
from gardien.actions.care_fires import (
    do_close_alert,
    do_raise_risk_alert,
    do_raise_spike,
    do_record_sla,
    do_refresh_spike,
)
from gardien.actions.outbox import Deliver, DeliveryReport, PermanentFailure, deliver_due
from gardien.care.priority import TIER_FLOORS, Tier
from gardien.care.sla import SlaState, status
from gardien.care.spikes import check
from gardien.domain import OutboundAction
from gardien.store import care_config as config
from gardien.store.care_config import OPEN_STATUSES
from gardien.store.care_fires import breaches_of, mention_times, open_alerts
from gardien.store.db import Database
from gardien.store.tables import CommunityRow, EngagementRow
from gardien.store.tables_care import AlertRow, CasePostRow, CaseRow

URGENT_FLOOR = dict(TIER_FLOORS)[Tier.URGENT]
#: Cases opened, or engaged with, within this are rescored at each check; older ones keep theirs.
MOVING_WITHIN = timedelta(days=2)
#: Keys are judged most specific first, so one surge raises one alert under its product.
KEY_ORDER = ("product:", "topic:", "channel:")


@dataclass(slots=True)
class CheckReport:
    rescored: int = 0
    risk_alerts: list[int] = field(default_factory=list)
    sla_warnings: int = 0
    sla_breaches: int = 0
    spikes: list[int] = field(default_factory=list)
    closed: int = 0


def check_care(database: Database, now: datetime, community: str | None = None) -> CheckReport:
    """Run every check for every community (or one), each community in one transaction."""
    report = CheckReport()
    with database.session() as session:
        query = select(CommunityRow.id).order_by(CommunityRow.id)
        if community:
            query = query.where(CommunityRow.slug == community)
        ids = list(session.scalars(query))
    for community_id in ids:
        with database.session() as session:
            _check_cases(session, community_id, now, report)
            _check_spikes(session, community_id, now, report)
    return report


def _check_cases(session: Session, community: int, now: datetime, report: CheckReport) -> None:
    """Rescore the cases that can still move, alert on those turning urgent, and record SLA
    warnings and breaches once each."""
    catalog = config.catalog(session, community)
    targets = {tier: config.sla_target(session, community, tier) for tier in Tier}
    for case in session.scalars(_moving(community, now)):
        rescore(session, case, now, catalog, targets)
        report.rescored += 1
        if case.priority >= URGENT_FLOOR and case.risk_alerted_at is None:
            report.risk_alerts.append(do_raise_risk_alert(session, case, now).id)
    horizon = now + max(target.warn_before for target in targets.values())
    cases = list(
        session.scalars(
            select(CaseRow).where(
                CaseRow.community_id == community,
                CaseRow.status.in_(OPEN_STATUSES),
                or_(
                    (CaseRow.first_response_at.is_(None)) & (CaseRow.first_response_due <= horizon),
                    CaseRow.resolution_due <= horizon,
                ),
            )
        )
    )
    recorded = breaches_of(session, [case.id for case in cases])
    for case in cases:
        pending = [("resolution", case.resolution_due)]
        if case.first_response_at is None:
            pending.insert(0, ("first_response", case.first_response_due))
        for kind, due in pending:
            if due is None:
                continue
            found = status(now, due, targets[Tier(case.tier)])
            if found.state not in (SlaState.WARNING, SlaState.BREACHED):
                continue
            if (case.id, kind, found.state.value, due) in recorded:
                continue
            do_record_sla(session, case, kind, found, now)
            if found.state is SlaState.WARNING:
                report.sla_warnings += 1
            else:
                report.sla_breaches += 1


def _moving(community: int, now: datetime) -> Select[Any]:
    """Open cases whose risk can still change: opened lately, or with new engagement readings."""
    since = now - MOVING_WITHIN
    engaged = (
        select(CasePostRow.case_id)
        .join(EngagementRow, EngagementRow.post_id == CasePostRow.post_id)
        .where(EngagementRow.observed_at > since, EngagementRow.observed_at <= now)
    )
    return (
        select(CaseRow)
        .where(
            CaseRow.community_id == community,
            CaseRow.status.in_(OPEN_STATUSES),
            or_(CaseRow.opened_at > since, CaseRow.id.in_(engaged)),
        )
        .order_by(CaseRow.id)
    )


def _order(key: str) -> tuple[int, str]:
    return next(i for i, prefix in enumerate(KEY_ORDER) if key.startswith(prefix)), key


def _check_spikes(session: Session, community: int, now: datetime, report: CheckReport) -> None:
    """Judge every key's last window; one surge seen under several keys (its product, topic and
    channel) is one alert: a key whose posts are mostly an open alert's joins that alert."""
    settings = config.spike_settings(session, community)
    since = now - timedelta(days=settings.baseline_days) - settings.window
    series = mention_times(session, community, since, now)
    alerts = open_alerts(session, community, "spike")
    members = {row.key: row for row in alerts.values()}
    for row in alerts.values():
        for key in row.detail.get("keys", []):
            members[key] = row
    for key in sorted(series, key=_order):
        points = series[key]
        result = check(key, [at for at, _ in points], now, settings)
        alert = members.get(key)
        if not result.spike:
            if (
                alert is not None
                and alert.key == key
                and now - alert.last_seen_at >= settings.cooldown
            ):
                do_close_alert(session, alert, now, "rule:fires", "back to its baseline")
                report.closed += 1
            continue
        posts = [post for at, post in points if result.window_start < at <= now]
        alert = alert or _overlapping(members, posts)
        if alert is None:
            alert = do_raise_spike(session, community, result, posts, now)
            members[key] = alert
            report.spikes.append(alert.id)
            continue
        do_refresh_spike(session, alert, result, now)
        _merge(alert, key, posts)
        members[key] = alert


def _overlapping(members: dict[str, AlertRow], posts: list[int]) -> AlertRow | None:
    wanted = set(posts)
    for alert in {id(a): a for a in members.values() if a.status == "open"}.values():
        shared = wanted & set(alert.detail.get("posts", []))
        if len(shared) * 2 >= len(wanted):
            return alert
    return None


def _merge(alert: AlertRow, key: str, posts: list[int]) -> None:
    detail = dict(alert.detail or {})
    keys = list(detail.get("keys", []))
    if key != alert.key and key not in keys:
        keys.append(key)
    merged = list(dict.fromkeys([*detail.get("posts", []), *posts]))[:500]
    alert.detail = {**detail, "keys": keys, "posts": merged}


@dataclass(frozen=True, slots=True)
class AlertTransport:
    """How alerts leave: SMTP server for e-mail (webhooks need nothing but their URL)."""

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    mail_from: str = "gardien@localhost"
    timeout: float = 10.0


def send_alert(transport: AlertTransport, key: str, action: OutboundAction) -> None:
    """Deliver one alert: HTTP POST of its JSON (with the idempotency key), or an e-mail."""
    payload = action.payload
    if action.kind == "alert.webhook":
        response = httpx.post(
            action.target,
            json=payload,
            headers={"Idempotency-Key": key, "User-Agent": "gardien-care"},
            timeout=transport.timeout,
        )
        if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
            raise PermanentFailure(f"webhook answered {response.status_code}")
        response.raise_for_status()
        return
    if action.kind == "alert.email":
        message = EmailMessage()
        message["From"], message["To"] = transport.mail_from, action.target
        message["Subject"] = (
            f"[Gardien] {payload.get('kind')} alert on {payload.get('key')} "
            f"({payload.get('community')})"
        )
        message["Message-ID"] = f"<{key.replace(':', '.')}@gardien>"
        lines = [f"{name}: {value}" for name, value in payload.items() if name != "detail"]
        message.set_content("\n".join(lines) + "\n")
        with smtplib.SMTP(
            transport.smtp_host, transport.smtp_port, timeout=transport.timeout
        ) as smtp:
            smtp.send_message(message)
        return
    raise PermanentFailure(f"unknown alert kind {action.kind!r}")


def care_deliverer(transport: AlertTransport, channels: Deliver | None = None) -> Deliver:
    """An outbox deliverer: alerts sent here, other actions (replies) to the channel adapters;
    without adapters they stay queued and are retried."""

    def deliver(key: str, action: OutboundAction) -> None:
        if action.kind.startswith("alert."):
            send_alert(transport, key, action)
        elif channels is not None:
            channels(key, action)
        else:
            raise RuntimeError(f"no channel adapter for {action.channel!r} yet")

    return deliver


def deliver_alerts(
    database: Database, now: datetime, transport: AlertTransport, channels: Deliver | None = None
) -> DeliveryReport:
    return deliver_due(database, care_deliverer(transport, channels), now)
