"""Policies at run time: compile the stored live and shadow versions for the stages, and report
what a shadow version would have done on live traffic."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import yaml
from sqlalchemy import func, select

from gardien.domain import Community
from gardien.domain.codec import reason_from_dict
from gardien.errors import PolicyError
from gardien.policy.compiler import CompiledPolicy, compile_text
from gardien.policy.defaults import default_policy, default_policy_text
from gardien.policy.replay import rule_key
from gardien.store import policies
from gardien.store.db import Database
from gardien.store.tables_policy import ShadowDecisionRow


def compiled_policies(
    database: Database, community: Community
) -> tuple[CompiledPolicy, CompiledPolicy | None]:
    """(live, shadow) compiled policies of a community. Without a stored live version, the
    shipped default for the community's main language, with the profile's watched words."""
    slug = community.slug
    with database.session() as session:
        live, shadow = policies.active(session, slug)

    def compiled(stored: policies.StoredVersion | None) -> CompiledPolicy | None:
        if stored is None:
            return None
        return compile_text(stored.text, f"{slug}.yaml", stored.author, stored.saved_at)

    fallback = default_policy(
        community.locales[0] if community.locales else "en", slug, community.watched_words
    )
    return compiled(live) or fallback, compiled(shadow)


@dataclass(slots=True)
class ShadowStats:
    """How a shadow version's decisions compare with the live ones on the same posts."""

    version: str
    posts: int = 0
    agree: int = 0
    changes: Counter[tuple[str, str]] = field(default_factory=Counter)
    rule_hits: Counter[str] = field(default_factory=Counter)


def shadow_stats(database: Database, version: str) -> ShadowStats:
    """Counts of live → shadow outcomes and per-rule hits for the recorded shadow decisions."""
    stats = ShadowStats(version=version)
    with database.session() as session:
        pairs = session.execute(
            select(ShadowDecisionRow.live_action, ShadowDecisionRow.action, func.count())
            .where(ShadowDecisionRow.version == version)
            .group_by(ShadowDecisionRow.live_action, ShadowDecisionRow.action)
        ).all()
        for live, shadow, count in pairs:
            stats.posts += count
            if live == shadow:
                stats.agree += count
            else:
                stats.changes[(live, shadow)] += count
        for reasons in session.scalars(
            select(ShadowDecisionRow.reasons).where(ShadowDecisionRow.version == version)
        ):
            for reason in reasons:
                stats.rule_hits[rule_key(reason_from_dict(reason))] += 1
    return stats


def with_extra_rule(policy_text: str, rule_text: str) -> str:
    """The policy `policy_text` with one more rule (YAML of a single rule mapping): how a single
    rule is tried in shadow before it joins the live policy. Comments of the policy are dropped
    in the candidate; the live version keeps them."""
    try:
        policy = yaml.safe_load(policy_text)
        rule = yaml.safe_load(rule_text)
    except yaml.YAMLError as error:
        raise PolicyError(f"rule: not valid YAML: {error}") from None
    if not isinstance(rule, dict) or "name" not in rule:
        raise PolicyError("rule:1: give one rule: a mapping with name, action and when")
    if not isinstance(policy, dict):
        raise PolicyError("policy:1: the live policy is not a mapping")
    rules = [r for r in policy.get("rules") or [] if r.get("name") != rule["name"]]
    policy["rules"] = [*rules, rule]
    return yaml.safe_dump(policy, allow_unicode=True, sort_keys=False)


def live_text(database: Database, community: Community) -> str:
    """The live policy's text, or the shipped default's (named for the community)."""
    with database.session() as session:
        live, _ = policies.active(session, community.slug)
    if live is not None:
        return live.text
    locale = community.locales[0] if community.locales else "en"
    return default_policy_text(locale).replace(
        "community: default", f"community: {community.slug}", 1
    )
