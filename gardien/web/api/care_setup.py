"""Care configuration and fires API: a community manager sets agents and shifts, departments,
routing rules, templates, SLA policies, alert destinations and settings; alerts and the crisis
view are read by care agents; the periodic check can be run on demand."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import AfterValidator, BaseModel, Field
from sqlalchemy.orm import Session

from gardien.actions import care_setup as setup
from gardien.app.care import check_care
from gardien.app.runtime import Runtime
from gardien.care.sla import BusinessHours
from gardien.domain.time import utcnow
from gardien.store import care_fires
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.api import cursor as cursors
from gardien.web.api.care_schemas import AlertOut, AlertPage, CheckOut, CrisisOut
from gardien.web.deps import runtime, session

router = APIRouter(prefix="/api/v1/care", tags=["care"])
DB = Annotated[Session, Depends(session)]
Manager = Annotated[Principal, Depends(require(Role.community_manager))]
Agent = Annotated[Principal, Depends(require(Role.care_agent))]
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _check_clock(text: str) -> str:
    """A 24-hour "HH:MM" time (24:00 is not one: end a shift at 23:59)."""
    try:
        _clock(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day; write HH:MM, e.g. 09:30") from None
    return text


Clock = Annotated[str, Field(pattern=r"^\d\d:\d\d$"), AfterValidator(_check_clock)]


class ShiftIn(BaseModel):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    starts: Clock
    ends: Clock


class AgentIn(BaseModel):
    languages: list[str] = []
    capacity: int = Field(20, ge=1)
    timezone: str = "UTC"
    shifts: list[ShiftIn] = []
    active: bool = True


class SlaIn(BaseModel):
    first_response_minutes: int = Field(ge=1)
    resolution_minutes: int = Field(ge=1)
    warn_minutes: int = Field(15, ge=0)
    timezone: str = "UTC"
    always: bool = True
    days: list[Annotated[int, Field(ge=0, le=6)]] = [0, 1, 2, 3, 4]
    opens: Clock = "09:00"
    closes: Clock = "18:00"


class TemplateIn(BaseModel):
    body: str = Field(min_length=1)
    tone: str = "warm"


class RuleIn(BaseModel):
    department: str
    when: dict[str, Any] = Field(description="A policy condition (docs/POLICY.md).")
    position: int = 0


class DepartmentIn(BaseModel):
    name: str = ""


class DestinationIn(BaseModel):
    kind: str = Field(pattern="^(webhook|email)$")
    target: str


class SettingsIn(BaseModel):
    assignment: str | None = Field(None, pattern="^(manual|round_robin|least_loaded)$")
    products: list[str] | None = None
    topics: dict[str, list[str]] | None = None
    spikes: dict[str, float] | None = Field(
        None,
        description="window_minutes, baseline_days, alpha, min_count, min_ratio, cooldown_minutes",
    )
    tone: str | None = None
    brand: str | None = None
    brand_accounts: list[str] | None = Field(None, description="The brand's own handles.")


@router.put("/communities/{slug}/agents/{username}", status_code=204)
def put_agent(slug: str, username: str, body: AgentIn, db: DB, principal: Manager) -> None:
    access_community(principal, slug, Role.community_manager)
    setup.do_save_agent(
        db, slug, username, utcnow(), actor=f"user:{principal.username}",
        languages=body.languages, capacity=body.capacity, timezone=body.timezone,
        shifts=[(s.weekday, s.starts, s.ends) for s in body.shifts], active=body.active,
    )  # fmt: skip


@router.put("/communities/{slug}/departments/{department}", status_code=204)
def put_department(
    slug: str, department: str, body: DepartmentIn, db: DB, principal: Manager
) -> None:
    access_community(principal, slug, Role.community_manager)
    setup.do_save_department(
        db, slug, department, utcnow(), actor=f"user:{principal.username}", name=body.name
    )


@router.put("/communities/{slug}/routing-rules/{name}", status_code=204)
def put_rule(slug: str, name: str, body: RuleIn, db: DB, principal: Manager) -> None:
    """A routing rule: when its condition holds, new cases go to its department."""
    access_community(principal, slug, Role.community_manager)
    setup.do_save_routing_rule(
        db, slug, name, body.department, body.when, utcnow(),
        actor=f"user:{principal.username}", position=body.position,
    )  # fmt: skip


@router.put("/communities/{slug}/templates/{name}/{language}", status_code=204)
def put_template(
    slug: str, name: str, language: str, body: TemplateIn, db: DB, principal: Manager
) -> None:
    access_community(principal, slug, Role.community_manager)
    setup.do_save_template(
        db, slug, name, language, body.body, utcnow(), actor=f"user:{principal.username}",
        tone=body.tone,
    )  # fmt: skip


@router.put("/communities/{slug}/sla/{tier}", status_code=204)
def put_sla(slug: str, tier: str, body: SlaIn, db: DB, principal: Manager) -> None:
    """One priority tier's first-response and resolution targets, in business hours."""
    access_community(principal, slug, Role.community_manager)
    hours = BusinessHours(
        timezone=body.timezone, days=frozenset(body.days), opens=_clock(body.opens),
        closes=_clock(body.closes), always=body.always,
    )  # fmt: skip
    setup.do_save_sla_policy(
        db, slug, tier, utcnow(), actor=f"user:{principal.username}",
        first_response_minutes=body.first_response_minutes,
        resolution_minutes=body.resolution_minutes, warn_minutes=body.warn_minutes, hours=hours,
    )  # fmt: skip


@router.post("/communities/{slug}/alert-destinations", status_code=204)
def add_destination(slug: str, body: DestinationIn, db: DB, principal: Manager) -> None:
    access_community(principal, slug, Role.community_manager)
    setup.do_add_alert_destination(
        db, slug, body.kind, body.target, utcnow(), actor=f"user:{principal.username}"
    )


@router.patch("/communities/{slug}/settings", status_code=204)
def patch_settings(
    slug: str,
    body: SettingsIn,
    db: DB,
    principal: Manager,
    rt: Annotated[Runtime, Depends(runtime)],
) -> None:
    access_community(principal, slug, Role.community_manager)
    given = body.model_dump(exclude_none=True)
    assignment = given.pop("assignment", None)
    setup.do_set_care_settings(
        db, slug, utcnow(), actor=f"user:{principal.username}", assignment=assignment, **given
    )
    rt.refresh()  # rebuilt on next use: the policy reads the brand's accounts (author.is_brand)


@router.post("/communities/{slug}/check", response_model=CheckOut)
def run_check(slug: str, principal: Manager, rt: Annotated[Runtime, Depends(runtime)]) -> CheckOut:
    """Run the periodic check now: rescore, SLA warnings and breaches, fires."""
    access_community(principal, slug, Role.community_manager)
    report = check_care(rt.database, utcnow(), slug)
    return CheckOut.model_validate(report, from_attributes=True)


@router.get("/alerts", response_model=AlertPage)
def alerts(
    db: DB,
    principal: Agent,
    status: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AlertPage:
    """Fires and climbing cases, newest first."""
    values = cursors.decode(cursor, 1)
    found = care_fires.list_alerts(
        db, principal.communities(Role.care_agent), status, limit,
        int(values[0]) if values else None,
    )  # fmt: skip
    last = found[-1] if len(found) == limit else None
    return AlertPage(
        items=[AlertOut.model_validate(alert) for alert in found],
        next_cursor=cursors.encode(last.id) if last else None,
    )


@router.get("/alerts/{alert_id}", response_model=CrisisOut)
def crisis(alert_id: AlertId, db: DB, principal: Agent) -> CrisisOut:
    """The crisis view: the alert and the posts behind it, grouped by channel."""
    found = care_fires.crisis(db, alert_id, principal.communities(Role.care_agent))
    return CrisisOut.model_validate(found)
