"""A community's care configuration changes here (agents and shifts, departments, routing rules,
templates, SLA policies, destinations, settings), each change audited with who made it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gardien.actions import audit
from gardien.care.assignment import Strategy
from gardien.care.priority import Tier
from gardien.care.replies import variables_in
from gardien.care.routing import parse_condition
from gardien.care.sla import BusinessHours
from gardien.domain import AuditEntry
from gardien.errors import GardienError, NotFoundError
from gardien.store import care_config as config
from gardien.store.tables_care import (
    AgentRow,
    AlertDestinationRow,
    DepartmentRow,
    RoutingRuleRow,
    ShiftRow,
    SlaPolicyRow,
    TemplateRow,
)


class CareSetupError(GardienError):
    code = "bad_care_setting"


def _community(session: Session, slug: str) -> int:
    found = config.community_id(session, slug)
    if found is None:
        raise NotFoundError(f"no community named {slug!r}")
    return found


def _audit(
    session: Session,
    actor: str,
    action: str,
    slug: str,
    community: int,
    now: datetime,
    **detail: Any,
) -> None:
    audit.record(
        session,
        AuditEntry(at=now, actor=actor, action=f"care.setup.{action}", target=f"community:{slug}",
                   detail=detail, community_id=community),
    )  # fmt: skip


def _upsert(session: Session, model: Any, where: dict[str, Any], values: dict[str, Any]) -> Any:
    row = session.scalar(select(model).filter_by(**where))
    if row is None:
        row = model(**where, **values)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.flush()
    return row


def do_save_agent(
    session: Session,
    slug: str,
    username: str,
    now: datetime,
    *,
    actor: str,
    languages: Sequence[str] = (),
    capacity: int = 20,
    timezone: str = "UTC",
    shifts: Sequence[tuple[int, str, str]] = (),
    active: bool = True,
) -> None:
    """Add or update an agent; `shifts` are (weekday 0–6, "HH:MM", "HH:MM") and replace the old."""
    community = _community(session, slug)
    BusinessHours(timezone=timezone).check()
    if capacity < 1:
        raise CareSetupError("capacity is at least 1")
    row = _upsert(
        session,
        AgentRow,
        {"community_id": community, "username": username},
        {"languages": list(languages), "capacity": capacity, "timezone": timezone,
         "active": active},
    )  # fmt: skip
    session.execute(delete(ShiftRow).where(ShiftRow.agent_id == row.id))
    for weekday, starts, ends in shifts:
        if not 0 <= weekday <= 6 or starts >= ends:
            raise CareSetupError(f"shift {weekday} {starts}-{ends} is not a valid weekly shift")
        session.add(ShiftRow(agent_id=row.id, weekday=weekday, starts=starts, ends=ends))
    _audit(
        session, actor, "agent", slug, community, now, username=username, languages=list(languages)
    )


def do_save_department(
    session: Session, slug: str, department: str, now: datetime, *, actor: str, name: str = ""
) -> None:
    community = _community(session, slug)
    _upsert(session, DepartmentRow, {"community_id": community, "slug": department},
            {"name": name or department})  # fmt: skip
    _audit(session, actor, "department", slug, community, now, department=department)


def do_save_routing_rule(
    session: Session,
    slug: str,
    name: str,
    department: str,
    condition: dict[str, Any],
    now: datetime,
    *,
    actor: str,
    position: int = 0,
) -> None:
    """Add or replace a routing rule; its condition is checked like a policy rule's `when`."""
    community = _community(session, slug)
    parse_condition(condition)
    if department not in config.departments(session, community):
        raise CareSetupError(f"no department {department!r}; create it first")
    _upsert(session, RoutingRuleRow, {"community_id": community, "name": name},
            {"department": department, "condition": condition, "position": position})  # fmt: skip
    _audit(session, actor, "routing_rule", slug, community, now, name=name, department=department)


def do_save_template(
    session: Session,
    slug: str,
    name: str,
    language: str,
    body: str,
    now: datetime,
    *,
    actor: str,
    tone: str = "warm",
) -> None:
    community = _community(session, slug)
    variables_in(body)
    _upsert(session, TemplateRow, {"community_id": community, "name": name, "language": language},
            {"body": body, "tone": tone})  # fmt: skip
    _audit(session, actor, "template", slug, community, now, name=name, language=language)


def do_save_sla_policy(
    session: Session,
    slug: str,
    tier: str,
    now: datetime,
    *,
    actor: str,
    first_response_minutes: int,
    resolution_minutes: int,
    warn_minutes: int = 15,
    hours: BusinessHours | None = None,
) -> None:
    """Set one tier's targets; `hours` None means around the clock."""
    community = _community(session, slug)
    if tier not in {t.value for t in Tier}:
        raise CareSetupError(f"unknown tier {tier!r}; use urgent, high, normal or low")
    hours = hours or BusinessHours(always=True)
    hours.check()
    if first_response_minutes < 1 or resolution_minutes < first_response_minutes:
        raise CareSetupError("first response ≥ 1 minute and resolution ≥ first response")
    _upsert(
        session,
        SlaPolicyRow,
        {"community_id": community, "tier": tier},
        {
            "first_response_minutes": first_response_minutes,
            "resolution_minutes": resolution_minutes,
            "warn_minutes": warn_minutes,
            "timezone": hours.timezone,
            "always": hours.always,
            "days": sorted(hours.days),
            "opens": hours.opens.strftime("%H:%M"),
            "closes": hours.closes.strftime("%H:%M"),
        },
    )
    _audit(session, actor, "sla_policy", slug, community, now, tier=tier)


def do_add_alert_destination(
    session: Session, slug: str, kind: str, target: str, now: datetime, *, actor: str
) -> None:
    community = _community(session, slug)
    if kind not in ("webhook", "email"):
        raise CareSetupError("an alert destination is a webhook or an email")
    if kind == "webhook" and not target.startswith(("http://", "https://")):
        raise CareSetupError("a webhook destination is an http(s) URL")
    if kind == "email" and "@" not in target:
        raise CareSetupError("an email destination is an address")
    _upsert(session, AlertDestinationRow, {"community_id": community, "kind": kind,
            "target": target}, {})  # fmt: skip
    _audit(session, actor, "alert_destination", slug, community, now, kind=kind, target=target)


def do_set_care_settings(
    session: Session,
    slug: str,
    now: datetime,
    *,
    actor: str,
    assignment: str | None = None,
    **settings: Any,
) -> None:
    """Set the assignment strategy and any of: products, topics, spikes, tone, brand, routing,
    brand_accounts (the brand's own handles)."""
    community = _community(session, slug)
    row = config.settings_row(session, community)
    if assignment is not None:
        row.assignment = Strategy(assignment).value
    allowed = {"products", "topics", "spikes", "tone", "brand", "routing", "brand_accounts"}
    unknown = set(settings) - allowed
    if unknown:
        raise CareSetupError(f"unknown care settings: {', '.join(sorted(unknown))}")
    _check_spikes(settings.get("spikes") or {})
    row.settings = {**dict(row.settings or {}), **settings}
    _audit(
        session,
        actor,
        "settings",
        slug,
        community,
        now,
        assignment=assignment,
        keys=sorted(settings),
    )


#: Spike settings a community may change, and the smallest value each accepts.
SPIKE_KEYS = {"window_minutes": 1, "baseline_days": 1, "alpha": 1e-12, "min_count": 1,
              "min_ratio": 0, "cooldown_minutes": 0}  # fmt: skip


def _check_spikes(spikes: dict[str, Any]) -> None:
    for key, value in spikes.items():
        if key not in SPIKE_KEYS:
            raise CareSetupError(f"unknown spike setting {key!r}; use {', '.join(SPIKE_KEYS)}")
        if not isinstance(value, int | float) or value < SPIKE_KEYS[key]:
            raise CareSetupError(f"spike setting {key} must be at least {SPIKE_KEYS[key]}")
        if key == "alpha" and value >= 1:
            raise CareSetupError("alpha is a probability below 1")
        if key in ("window_minutes", "baseline_days", "cooldown_minutes") and value > 100_000:
            raise CareSetupError(f"spike setting {key} is too large")
