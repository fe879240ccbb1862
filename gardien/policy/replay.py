"""Dry run and shadow mode: replay stored posts under two policies and say what would change.

Pure functions over an iterable of history items, so the same code serves the CLI, the API and
the tests; the store only supplies the items. Nothing here acts on a post.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from gardien.domain import Action, Author, Decision, Member, Post, Reason, Signals
from gardien.policy.compiler import CompiledPolicy
from gardien.policy.evaluator import evaluate

#: Outcomes that keep a post from being seen: "blocked" in the reports' words.
HIDDEN = frozenset({Action.HOLD, Action.BLOCK})
Verdict = Literal["upheld", "overturned"]


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """One stored post with what the pipeline knew, and what a moderator later decided."""

    post: Post
    author: Author | None
    member: Member | None
    signals: Signals
    post_id: int | None = None
    verdict: Verdict | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """A post whose outcome differs between the two policies, with the reasons of each."""

    post_id: int | None
    external_id: str
    text: str
    before: Action
    after: Action
    reasons_before: tuple[Reason, ...]
    reasons_after: tuple[Reason, ...]


@dataclass(slots=True)
class RuleStats:
    """How one rule (a word list, a threshold or a named rule) behaved over the replay."""

    name: str
    hits: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    reviewed: int = 0
    overturned: int = 0

    @property
    def precision(self) -> float | None:
        """Share of the reviewed hits that moderators upheld (None before any review)."""
        return None if not self.reviewed else (self.reviewed - self.overturned) / self.reviewed


@dataclass(slots=True)
class ReplayReport:
    """What a candidate policy would have done differently from the live one."""

    live_version: str
    candidate_version: str
    total: int = 0
    changed: int = 0
    live_counts: Counter[str] = field(default_factory=Counter)
    candidate_counts: Counter[str] = field(default_factory=Counter)
    newly_blocked: list[Change] = field(default_factory=list)
    released: list[Change] = field(default_factory=list)
    newly_blocked_count: int = 0
    released_count: int = 0
    rules: dict[str, RuleStats] = field(default_factory=dict)
    live_rules: dict[str, RuleStats] = field(default_factory=dict)


def rule_key(reason: Reason) -> str:
    """The name statistics are kept under: the rule, the word list, or the threshold."""
    if reason.kind == "word":
        return f"words:{reason.rule or reason.term}"
    if reason.kind == "score":
        return f"score:{reason.rule or reason.signal}"
    return f"{reason.kind}:{reason.rule or reason.signal}"


def replay(
    items: Iterable[HistoryItem],
    live: CompiledPolicy,
    candidate: CompiledPolicy,
    examples: int = 20,
    brand_accounts: frozenset[str] = frozenset(),
) -> ReplayReport:
    """Judge every item under both policies; count actions, keep up to `examples` changes of
    each kind, and per-rule hits with the moderators' verdicts as a precision estimate."""
    report = ReplayReport(live.version.id, candidate.version.id)
    for item in items:
        before = _judge(item, live, brand_accounts)
        after = _judge(item, candidate, brand_accounts)
        report.total += 1
        report.live_counts[before.action.value] += 1
        report.candidate_counts[after.action.value] += 1
        _count_rules(report.rules, after, item.verdict)
        _count_rules(report.live_rules, before, item.verdict)
        if before.action is after.action:
            continue
        report.changed += 1
        change = Change(
            item.post_id,
            item.post.external_id,
            item.post.text,
            before.action,
            after.action,
            tuple(before.reasons),
            tuple(after.reasons),
        )
        if after.action in HIDDEN and before.action not in HIDDEN:
            report.newly_blocked_count += 1
            if len(report.newly_blocked) < examples:
                report.newly_blocked.append(change)
        elif before.action in HIDDEN and after.action not in HIDDEN:
            report.released_count += 1
            if len(report.released) < examples:
                report.released.append(change)
    return report


def _judge(item: HistoryItem, policy: CompiledPolicy, brand: frozenset[str]) -> Decision:
    return evaluate(item.post, item.author, item.member, item.signals, policy, brand_accounts=brand)


def _count_rules(stats: dict[str, RuleStats], decision: Decision, verdict: Verdict | None) -> None:
    """One hit per rule per post (a list matching twice in a post is one hit)."""
    seen: set[str] = set()
    for reason in decision.reasons:
        if reason.kind in ("strike", "care"):
            continue
        key = rule_key(reason)
        if key in seen:
            continue
        seen.add(key)
        entry = stats.setdefault(key, RuleStats(key))
        entry.hits += 1
        entry.actions[reason.action.value] += 1
        if verdict is not None:
            entry.reviewed += 1
            entry.overturned += verdict == "overturned"
