"""Who takes a case: manually, round-robin, or the least-loaded agent — only among agents on
shift, with room left, who speak the case's language (skills). Pure: callers pass the agents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from gardien.errors import GardienError


class AssignmentError(GardienError):
    """Nobody can take the case (nobody on shift, nobody with the language, everyone full)."""

    code = "no_agent"


class Strategy(StrEnum):
    MANUAL = "manual"
    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"


@dataclass(frozen=True, slots=True)
class Shift:
    """A weekly shift: `weekday` (0 = Monday) from `starts` to `ends`, local time."""

    weekday: int
    starts: time
    ends: time


@dataclass(frozen=True, slots=True)
class Agent:
    """An agent as assignment sees them: languages spoken, shifts, load and capacity."""

    username: str
    languages: frozenset[str] = frozenset()
    shifts: tuple[Shift, ...] = ()
    timezone: str = "UTC"
    open_cases: int = 0
    capacity: int = 20
    active: bool = True
    departments: frozenset[str] = field(default_factory=frozenset)

    def on_shift(self, now: datetime) -> bool:
        """True with no shifts declared (always available), else inside one of them."""
        if not self.shifts:
            return True
        local = now.astimezone(ZoneInfo(self.timezone))
        return any(
            shift.weekday == local.weekday() and shift.starts <= local.time() < shift.ends
            for shift in self.shifts
        )

    def speaks(self, language: str | None) -> bool:
        """Declared languages are skills; an unidentified language ("other") is anyone's."""
        unknown = language is None or language == "other"
        return not self.languages or unknown or language in self.languages


def eligible(agents: Sequence[Agent], now: datetime, language: str | None) -> list[Agent]:
    """Active agents on shift, with room, who speak `language`; sorted by name for stability."""
    return sorted(
        (
            agent
            for agent in agents
            if agent.active
            and agent.on_shift(now)
            and agent.open_cases < agent.capacity
            and agent.speaks(language)
        ),
        key=lambda agent: agent.username,
    )


def choose(
    strategy: Strategy,
    agents: Sequence[Agent],
    now: datetime,
    language: str | None = None,
    last: str | None = None,
    requested: str | None = None,
) -> Agent:
    """The agent who takes the case; AssignmentError with the reason when nobody can."""
    if strategy is Strategy.MANUAL:
        found = next((agent for agent in agents if agent.username == requested), None)
        if found is None or not found.active:
            raise AssignmentError(f"no active agent named {requested!r}")
        return found
    pool = eligible(agents, now, language)
    if not pool:
        spoken = f" speaking {language!r}" if language else ""
        raise AssignmentError(f"no agent on shift with room{spoken}")
    if strategy is Strategy.LEAST_LOADED:
        return min(pool, key=lambda agent: (agent.open_cases / agent.capacity, agent.username))
    names = [agent.username for agent in pool]
    following = [name for name in names if last is not None and name > last]
    return pool[names.index(following[0])] if following else pool[0]
