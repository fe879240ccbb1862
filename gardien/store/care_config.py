"""A community's care configuration as the core's types: catalogue, SLA targets, agents,
departments, routing rules, templates, alert destinations. Read here; changed by the care actions."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gardien.care.assignment import Agent, Shift, Strategy
from gardien.care.priority import Tier, default_target
from gardien.care.replies import ReplyTemplate
from gardien.care.routing import CompiledRules, RoutingRule, compile_rules, parse_condition
from gardien.care.sla import BusinessHours, SlaTarget
from gardien.care.spikes import SpikeSettings
from gardien.care.text import DEFAULT_TOPICS, CareCatalog
from gardien.insights.catalogue import parse_catalogue
from gardien.policy.schema import Routing
from gardien.store.tables import CommunityRow
from gardien.store.tables_care import (
    AgentRow,
    AlertDestinationRow,
    CareSettingsRow,
    CaseRow,
    DepartmentRow,
    RoutingRuleRow,
    ShiftRow,
    SlaPolicyRow,
    TemplateRow,
)

OPEN_STATUSES = ("new", "assigned", "waiting_customer", "waiting_department")


def community_id(session: Session, slug: str) -> int | None:
    return session.scalar(select(CommunityRow.id).where(CommunityRow.slug == slug))


def settings_row(session: Session, community: int) -> CareSettingsRow:
    """The community's care settings row, created with defaults on first use."""
    row = session.get(CareSettingsRow, community)
    if row is None:
        row = CareSettingsRow(community_id=community, assignment="manual", settings={})
        session.add(row)
        session.flush()
    return row


def _extra(session: Session, community: int) -> dict[str, Any]:
    row = session.get(CareSettingsRow, community)
    return dict(row.settings or {}) if row is not None else {}


def routing(session: Session, community: int) -> Routing:
    """The policy's routing section (departments, default department, care SLA).

    Until communities store their policy file, the schema's defaults apply; a `routing` object
    in the care settings (same keys as the policy's) overrides them."""
    override = _extra(session, community).get("routing")
    return Routing.model_validate(override) if override else Routing()


def catalog(session: Session, community: int) -> CareCatalog:
    extra = _extra(session, community)
    topics = extra.get("topics") or DEFAULT_TOPICS
    return CareCatalog(
        products=tuple(extra.get("products", ())),
        topics={name: tuple(words) for name, words in topics.items()},
    )


def brand_accounts(session: Session, slug: str) -> frozenset[str]:
    """The brand's own handles in a community (case-folded): they answer, they open no case."""
    community = community_id(session, slug)
    if community is None:
        return frozenset()
    handles = _extra(session, community).get("brand_accounts", [])
    return frozenset(str(handle).casefold() for handle in handles)


def brand_handles(session: Session, slug: str) -> frozenset[str]:
    """Every handle the community knows as the brand's own (case-folded): care's
    `brand_accounts` and the insights catalogue's, which the policy reads as `author.is_brand`."""
    row = session.scalar(select(CommunityRow).where(CommunityRow.slug == slug))
    if row is None:
        return frozenset()
    catalogue = parse_catalogue((row.settings or {}).get("insights"))
    return brand_accounts(session, slug) | {
        handle.casefold() for handle in catalogue.brand_accounts
    }


def spike_settings(session: Session, community: int) -> SpikeSettings:
    given = _extra(session, community).get("spikes", {})
    base = SpikeSettings()
    return SpikeSettings(
        window=timedelta(minutes=given.get("window_minutes", base.window.total_seconds() / 60)),
        baseline_days=given.get("baseline_days", base.baseline_days),
        alpha=given.get("alpha", base.alpha),
        min_count=given.get("min_count", base.min_count),
        min_ratio=given.get("min_ratio", base.min_ratio),
        cooldown=timedelta(
            minutes=given.get("cooldown_minutes", base.cooldown.total_seconds() / 60)
        ),
    )


def _clock(text: str) -> time:
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes or 0))


def hours_of(row: SlaPolicyRow) -> BusinessHours:
    return BusinessHours(
        timezone=row.timezone,
        days=frozenset(row.days or []),
        opens=_clock(row.opens),
        closes=_clock(row.closes),
        always=row.always,
    )


def sla_target(session: Session, community: int, tier: Tier) -> SlaTarget:
    """The tier's SLA policy, else the default derived from the policy's `care_sla`."""
    row = session.scalar(
        select(SlaPolicyRow).where(
            SlaPolicyRow.community_id == community, SlaPolicyRow.tier == tier.value
        )
    )
    if row is None:
        return default_target(tier, routing(session, community))
    return SlaTarget(
        first_response=timedelta(minutes=row.first_response_minutes),
        resolution=timedelta(minutes=row.resolution_minutes),
        warn_before=timedelta(minutes=row.warn_minutes),
        hours=hours_of(row),
    )


def departments(session: Session, community: int) -> list[str]:
    """Departments of the community: its own rows, else the policy's routing list."""
    rows = list(
        session.scalars(
            select(DepartmentRow.slug)
            .where(DepartmentRow.community_id == community)
            .order_by(DepartmentRow.slug)
        )
    )
    return rows or list(routing(session, community).departments)


def rules(session: Session, community: int) -> CompiledRules:
    rows = session.scalars(
        select(RoutingRuleRow)
        .where(RoutingRuleRow.community_id == community)
        .order_by(RoutingRuleRow.position, RoutingRuleRow.id)
    )
    return compile_rules(
        [RoutingRule(row.name, row.department, parse_condition(row.condition)) for row in rows]
    )


def agents(session: Session, community: int) -> list[Agent]:
    """The community's agents with their shifts and current load (open cases assigned)."""
    loads = dict(
        session.execute(
            select(CaseRow.assignee, func.count())
            .where(CaseRow.community_id == community, CaseRow.status.in_(OPEN_STATUSES))
            .group_by(CaseRow.assignee)
        ).all()
    )
    rows = list(session.scalars(select(AgentRow).where(AgentRow.community_id == community)))
    shifts: dict[int, list[Shift]] = {}
    if rows:
        for shift in session.scalars(
            select(ShiftRow).where(ShiftRow.agent_id.in_([row.id for row in rows]))
        ):
            shifts.setdefault(shift.agent_id, []).append(
                Shift(shift.weekday, _clock(shift.starts), _clock(shift.ends))
            )
    return [
        Agent(
            username=row.username,
            languages=frozenset(row.languages or []),
            shifts=tuple(shifts.get(row.id, [])),
            timezone=row.timezone,
            open_cases=int(loads.get(row.username, 0)),
            capacity=row.capacity,
            active=row.active,
        )
        for row in rows
    ]


def strategy(session: Session, community: int) -> tuple[Strategy, str | None]:
    row = session.get(CareSettingsRow, community)
    if row is None:
        return Strategy.MANUAL, None
    return Strategy(row.assignment), row.last_assigned


def templates(session: Session, community: int) -> list[ReplyTemplate]:
    return [
        ReplyTemplate(row.name, row.language, row.body, row.tone)
        for row in session.scalars(
            select(TemplateRow)
            .where(TemplateRow.community_id == community)
            .order_by(TemplateRow.name, TemplateRow.language)
        )
    ]


def tone(session: Session, community: int) -> str | None:
    value = _extra(session, community).get("tone")
    return str(value) if value else None


def brand(session: Session, community: int) -> str:
    extra = _extra(session, community)
    if extra.get("brand"):
        return str(extra["brand"])
    return session.scalar(select(CommunityRow.name).where(CommunityRow.id == community)) or ""


def destinations(session: Session, community: int) -> list[tuple[str, str]]:
    return [
        (row.kind, row.target)
        for row in session.scalars(
            select(AlertDestinationRow)
            .where(AlertDestinationRow.community_id == community)
            .order_by(AlertDestinationRow.id)
        )
    ]
