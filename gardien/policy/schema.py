"""The policy file's schema: what a community manager may write, checked before anything changes.

Every model forbids unknown keys, so a typo is an error with a line number, never a silent no-op.
The reference for each key is docs/POLICY.md.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from gardien.domain import Action

_ACTION = re.compile(r"^(allow|block|hold|censor|flag|tag:[\w.-]+|route:[\w.-]+|replace:.+)$")
_DURATION = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _check_action(value: str) -> str:
    if not _ACTION.match(value):
        raise ValueError(
            f"unknown action {value!r}; use allow, block, hold, censor, flag, "
            "tag:<name>, route:<department> or replace:<text>"
        )
    return value


def _check_duration(value: str) -> str:
    if not _DURATION.match(value.strip()):
        raise ValueError(f"unknown duration {value!r}; write a number and m, h, d or w, e.g. 24h")
    return value


def _check_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as error:
        raise ValueError(f"regex {value!r} does not compile: {error}") from error
    return value


ActionSpec = Annotated[str, AfterValidator(_check_action)]
Duration = Annotated[str, AfterValidator(_check_duration)]
Regex = Annotated[str, AfterValidator(_check_regex)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


def parse_action(spec: str) -> tuple[Action, str]:
    """An action spec as (Action, argument): ``tag:promo`` → (TAG, "promo")."""
    name, _, argument = spec.partition(":")
    if name == "replace":
        return Action.CENSOR, argument
    return Action(name), argument


def parse_duration(spec: str) -> timedelta:
    """``24h`` → 24 hours; the schema has already checked the form."""
    found = _DURATION.match(spec.strip())
    if found is None:
        raise ValueError(f"unknown duration {spec!r}")
    return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Topic(_Strict):
    """What the community is about, for the off-topic classifier and the console."""

    description: str = ""
    examples: list[str] = []
    off_limit: list[str] = []


class WordList(_Strict):
    """A named list of watched words for one locale (``*``: every language), with one action."""

    name: str
    locale: str = "*"
    action: ActionSpec = "flag"
    terms: list[str] = []
    regex: list[Regex] = []
    include: list[str] = Field(default=[], description="Shipped lists, e.g. offensive-fr.")
    exclude: list[str] = []
    match: Literal["word", "prefix", "substring"] = "word"


class LocaleFolding(_Strict):
    """How a locale's text is folded before matching (both terms and posts)."""

    fold_accents: bool = True
    confusables: bool = True
    leet: bool = True


class WatchedWords(_Strict):
    lists: list[WordList] = []
    allow: dict[str, list[str]] = Field(default={}, description="Locale → never-matched words.")
    folding: dict[str, LocaleFolding] = {}


class Threshold(_Strict):
    """A classifier score at or above `above` triggers `action`."""

    signal: str
    above: Probability
    action: ActionSpec
    name: str = ""
    locale: str = "*"


_FIELD = re.compile(r"^(post|author|member|score|count|words|flag)\.[\w.-]+$")
#: Fact names under post., author. and member. (score., count., words. and flag. take any name).
FACTS = {
    "post": frozenset(
        [
            "text",
            "length",
            "language",
            "channel",
            "links",
            "mentions",
            "hashtags",
            "caps_ratio",
            "repeated_words",
            "is_reply",
            "visibility",
        ]
    ),
    "author": frozenset(["account_age_days", "followers", "handle", "known", "is_brand"]),
    "member": frozenset(["trust_level", "strikes", "days", "new", "known"]),
}


class Condition(_Strict):
    """One test on the post or its author, or a combination of tests (all / any / not)."""

    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(default=None, alias="not")
    field: str | None = None
    equals: str | float | bool | None = None
    in_: list[str | float] | None = Field(default=None, alias="in")
    above: float | None = None
    at_least: float | None = None
    below: float | None = None
    at_most: float | None = None
    matches: Regex | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Condition:
        kinds = [k for k in ("all", "any", "not_", "field") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("a condition is exactly one of: all, any, not, or field with a test")
        if self.field is not None:
            scope, _, name = self.field.partition(".")
            if not _FIELD.match(self.field) or name not in FACTS.get(scope, {name}):
                raise ValueError(
                    f"unknown field {self.field!r}; fields start with post., author., member., "
                    "score., count., words. or flag. (see docs/POLICY.md)"
                )
            tests = ("equals", "in_", "above", "at_least", "below", "at_most", "matches")
            if not any(getattr(self, test) is not None for test in tests):
                raise ValueError(f"field {self.field!r} needs a test: equals, in, above, below…")
        return self


class Rule(_Strict):
    """A named rule: when its condition holds, its action applies (final: and nothing else)."""

    name: str
    when: Condition
    action: ActionSpec
    priority: int = 0
    final: bool = False
    message: str = ""


class StrikeStep(_Strict):
    at: int = Field(ge=1)
    sanction: Literal["warn", "mute", "suspend", "ban"]
    duration: Duration | None = None


def _default_ladder() -> list[StrikeStep]:
    return [
        StrikeStep(at=1, sanction="warn"),
        StrikeStep(at=2, sanction="mute", duration="24h"),
        StrikeStep(at=3, sanction="suspend", duration="7d"),
        StrikeStep(at=4, sanction="ban"),
    ]


class Strikes(_Strict):
    """Which outcomes earn a strike, what each strike count brings, and when strikes expire."""

    ladder: list[StrikeStep] = Field(default_factory=_default_ladder)
    earned_by: list[Literal["block", "hold", "censor", "flag"]] = ["block"]
    decay: Duration = "90d"


class CareRoute(_Strict):
    """Send a post to the care inbox (and a department) when a score is high enough."""

    signal: str
    above: Probability
    department: str = ""
    sla: Duration | None = None


class Routing(_Strict):
    """Queues and service levels: what needs a moderator, what goes to care, and how fast."""

    review: list[Literal["tag", "flag", "route", "censor", "hold", "block"]] = [
        "flag",
        "censor",
        "hold",
        "block",
    ]
    moderation_sla: Duration = "4h"
    care_sla: Duration = "2h"
    default_department: str = "customer-service"
    departments: list[str] = ["customer-service", "technical", "legal"]
    care: list[CareRoute] = []


class ExternalCheck(_Strict):
    """The brand's own endpoint, asked as one more signal (score ``external``)."""

    url: str
    secret_env: str = ""
    timeout_ms: int = Field(default=800, ge=10, le=30_000)
    above: Probability = 0.5
    action: ActionSpec = "hold"
    on_error: ActionSpec = "allow"


#: The signals the accurate tier can re-read (`classifiers.accurate.TASKS`).
AccurateTask = Literal["sentiment", "offensive", "hate", "intent", "complaint"]


class PolicyFile(_Strict):
    """One community's policy, as written in its YAML file."""

    format: Literal[1] = 1
    community: str
    name: str = ""
    locale: str = "en"
    topic: Topic = Topic()
    watched_words: WatchedWords = WatchedWords()
    thresholds: list[Threshold] = []
    rules: list[Rule] = []
    new_member_days: int = Field(default=7, ge=0)
    strikes: Strikes = Strikes()
    routing: Routing = Routing()
    external_check: ExternalCheck | None = None
    #: Signals whose unsure posts this community wants re-read by the accurate tier, beyond
    #: those the server re-reads for every community (GARDIEN_ACCURATE_TASKS).
    accurate: list[AccurateTask] = []

    @model_validator(mode="after")
    def _unique_names(self) -> PolicyFile:
        for kind, names in (
            ("list", [item.name for item in self.watched_words.lists]),
            ("rule", [item.name for item in self.rules]),
        ):
            seen: set[str] = set()
            for name in names:
                if name in seen:
                    raise ValueError(f"two {kind}s are named {name!r}; names must be unique")
                seen.add(name)
        return self
