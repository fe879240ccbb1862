"""Priority tiers from the risk score, default SLA targets from the policy, and the inbox rank.

The inbox orders by rank = risk + SLA pressure, where pressure grows from 0 (all the time left)
to PRESSURE_MAX (deadline reached or passed). A viral case outranks a calm one about to breach;
among similar risks the one closest to its deadline comes first.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from gardien.care.sla import BusinessHours, SlaTarget, business_time_between
from gardien.policy.schema import Routing, parse_duration

PRESSURE_MAX = 25.0


class Tier(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


#: Lowest risk score of each tier, highest tier first.
TIER_FLOORS = ((Tier.URGENT, 60.0), (Tier.HIGH, 40.0), (Tier.NORMAL, 15.0), (Tier.LOW, 0.0))
#: Default first-response time of each tier as a share of the policy's `care_sla`.
_FIRST_RESPONSE_SHARE = {Tier.URGENT: 0.25, Tier.HIGH: 0.5, Tier.NORMAL: 1.0, Tier.LOW: 2.0}
#: Default resolution time as a multiple of the tier's first-response time.
_RESOLUTION_FACTOR = 12


def tier_for(risk: float) -> Tier:
    return next(tier for tier, floor in TIER_FLOORS if risk >= floor)


def default_target(
    tier: Tier, routing: Routing | None = None, hours: BusinessHours | None = None
) -> SlaTarget:
    """A tier's target derived from the policy's routing section (`care_sla`, default 2h)."""
    base = parse_duration((routing or Routing()).care_sla)
    first = base * _FIRST_RESPONSE_SHARE[tier]
    return SlaTarget(
        first_response=first,
        resolution=first * _RESOLUTION_FACTOR,
        warn_before=min(first / 4, timedelta(minutes=30)),
        **({"hours": hours} if hours is not None else {}),
    )


def pressure(now: datetime, opened_at: datetime, due_at: datetime, hours: BusinessHours) -> float:
    """0 when the whole allowance is left, PRESSURE_MAX at or after the deadline."""
    allowed = business_time_between(opened_at, due_at, hours).total_seconds()
    left = business_time_between(now, due_at, hours).total_seconds()
    if left <= 0 or allowed <= 0:
        return PRESSURE_MAX
    return round(PRESSURE_MAX * (1.0 - min(left / allowed, 1.0)), 2)


def rank(risk: float, sla_pressure: float) -> float:
    return round(risk + sla_pressure, 2)
