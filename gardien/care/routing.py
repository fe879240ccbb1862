"""Routing a case to a department by rules on signals, keywords, product and language.

A rule's condition is written exactly like a policy rule's `when` (gardien.policy.schema
Condition, see docs/POLICY.md), so there is one condition language. Two more facts are offered
to routing rules: ``flag.care.product`` and ``flag.care.topic`` (what the care catalogue found
in the text). Rules are tried in order; the first that holds names the department.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from gardien.domain import Author, Post, Signals
from gardien.errors import GardienError
from gardien.policy.conditions import Facts, Predicate, compile_condition
from gardien.policy.schema import Condition


class RoutingRuleError(GardienError):
    """A routing rule's condition is not valid; the message says which part."""

    code = "bad_routing_rule"


@dataclass(frozen=True, slots=True)
class RoutingRule:
    name: str
    department: str
    when: Condition


@dataclass(frozen=True, slots=True)
class RouteChoice:
    """The department chosen and why (the rule's name), for the audit entry and the console."""

    department: str
    rule: str


def parse_condition(data: dict[str, Any]) -> Condition:
    """A condition from its JSON/YAML form; RoutingRuleError naming the problem otherwise."""
    try:
        return Condition.model_validate(data)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem.get("loc", ()))
        raise RoutingRuleError(f"routing condition {where or ''}: {problem['msg']}") from None


def condition_to_dict(condition: Condition) -> dict[str, Any]:
    return condition.model_dump(by_alias=True, exclude_none=True)


@dataclass(frozen=True, slots=True)
class CompiledRules:
    rules: tuple[tuple[RoutingRule, Predicate], ...]

    def route(
        self,
        post: Post,
        author: Author | None,
        signals: Signals,
        product: str | None = None,
        topic: str | None = None,
    ) -> RouteChoice | None:
        """The first rule that holds for the post, or None (the caller keeps its default)."""
        flags = dict(signals.flags)
        if product:
            flags["care.product"] = product
        if topic:
            flags["care.topic"] = topic
        facts = Facts(post, author, None, replace(signals, flags=flags), (), timedelta(days=7))
        for rule, predicate in self.rules:
            if predicate(facts):
                return RouteChoice(rule.department, rule.name)
        return None


def compile_rules(rules: Sequence[RoutingRule]) -> CompiledRules:
    return CompiledRules(tuple((rule, compile_condition(rule.when)) for rule in rules))
