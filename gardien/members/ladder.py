"""Sanctions on the policy's ladder: what a new strike brings, how long it lasts, and where a
member stands now. The ladder itself and decay come from the community's policy
(gardien.policy.strikes), so a sanction here is always the one the policy file says."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from gardien.domain.time import ensure_utc
from gardien.policy.schema import Strikes, parse_duration
from gardien.policy.strikes import active_strikes, sanction_for

#: Sanctions on a member, weakest first.
SANCTIONS = ("warn", "mute", "suspend", "ban")
#: How long a member may appeal a sanction, and how long its evidence is kept at least.
APPEAL_WINDOW = timedelta(days=30)
_FALLBACK = {"mute": timedelta(hours=24), "suspend": timedelta(days=7)}


def rank(kind: str) -> int:
    """The strength of a sanction kind (warn 0 … ban 3)."""
    return SANCTIONS.index(kind)


@dataclass(frozen=True, slots=True)
class Ruling:
    """What one new strike brings: its number among active strikes, the sanction and its length."""

    strike: int
    kind: str
    duration: timedelta | None

    def ends_at(self, now: datetime) -> datetime | None:
        """When the restriction ends (None for a warning, which restricts nothing, or a ban)."""
        if self.kind in ("warn", "ban") or self.duration is None:
            return None
        return ensure_utc(now) + self.duration


def default_duration(kind: str, strikes: Strikes) -> timedelta | None:
    """The ladder's duration for `kind` (its first step of that kind), else a sane default."""
    for step in sorted(strikes.ladder, key=lambda item: item.at):
        if step.sanction == kind and step.duration:
            return parse_duration(step.duration)
    return _FALLBACK.get(kind)


def rule_on(
    active_before: int,
    strikes: Strikes,
    requested: str = "warn",
    duration: timedelta | None = None,
) -> Ruling:
    """The sanction for a member who had `active_before` active strikes and earns one more.

    "warn" asks the ladder; an explicit mute, suspend or ban applies when it is at least as
    strong as the ladder's step (a moderator may go further than the ladder, never below it)."""
    if requested not in SANCTIONS:
        raise ValueError(f"unknown sanction {requested!r}; use one of {', '.join(SANCTIONS)}")
    count = active_before + 1
    step = sanction_for(count, strikes.ladder)
    ladder = (
        Ruling(count, "warn", None) if step is None else Ruling(count, step.kind, step.duration)
    )
    if requested == "warn" or rank(requested) < rank(ladder.kind):
        return ladder
    if requested == ladder.kind and duration is None:
        return ladder
    chosen = duration if duration is not None else default_duration(requested, strikes)
    return Ruling(count, requested, None if requested == "ban" else chosen)


def counted(given_at: Iterable[datetime], now: datetime, strikes: Strikes) -> int:
    """Strikes that still count at `now` under the policy's decay."""
    return active_strikes(given_at, now, parse_duration(strikes.decay))


@dataclass(frozen=True, slots=True)
class SanctionFact:
    """A sanction as the core needs it to tell a member's standing."""

    kind: str
    created_at: datetime
    ends_at: datetime | None
    lifted: bool = False


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a member stands now: good, muted, suspended or banned (and until when)."""

    state: str
    until: datetime | None = None


def standing(sanctions: Iterable[SanctionFact], now: datetime) -> Standing:
    """The strongest restriction in force at `now` (warnings restrict nothing)."""
    now = ensure_utc(now)
    best = Standing("good")
    for fact in sanctions:
        if fact.lifted or fact.kind == "warn":
            continue
        if fact.ends_at is not None and ensure_utc(fact.ends_at) <= now:
            continue
        state = {"mute": "muted", "suspend": "suspended", "ban": "banned"}[fact.kind]
        order = ("good", "muted", "suspended", "banned")
        if order.index(state) > order.index(best.state) or (
            state == best.state
            and best.until is not None
            and (fact.ends_at is None or fact.ends_at > best.until)
        ):
            best = Standing(state, fact.ends_at)
    return best
