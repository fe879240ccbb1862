"""The advocacy funnel: each member's stage computed from their history, with the evidence.

Stages, checked in this order (the first that applies wins):
  detractor  — at least `detractor_min` negative or complaint posts, and they outnumber the
               member's positive ones;
  advocate   — at least `advocate_min` praise or positive posts, active on at least
               `advocate_days` different days, more positive than negative, and a known customer
               when `advocate_requires_customer`;
  customer   — known to have bought (posted a review, or opened a care case about an order);
  engaged    — at least `engaged_posts` posts or `engaged_threads` threads;
  newcomer   — everyone else.
The numbers live in `FunnelRules`, which a community can override in its settings (`funnel`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

STAGES = ("newcomer", "engaged", "customer", "advocate", "detractor")


@dataclass(frozen=True, slots=True)
class FunnelRules:
    detractor_min: int = 2
    advocate_min: int = 2
    advocate_days: int = 2
    advocate_requires_customer: bool = False
    engaged_posts: int = 3
    engaged_threads: int = 2

    @classmethod
    def from_settings(cls, data: Mapping[str, Any] | None) -> FunnelRules:
        """Rules from a community's `funnel` settings; unknown keys are ignored, types checked."""
        if not data:
            return cls()
        values: dict[str, Any] = {}
        for field in fields(cls):
            if field.name in data:
                kind = bool if field.type in ("bool", bool) else int
                values[field.name] = kind(data[field.name])
        return cls(**values)


@dataclass(frozen=True, slots=True)
class MemberHistory:
    """What the funnel looks at for one author in one community."""

    author_id: int
    handle: str
    posts: int
    threads: int
    days: int
    positive: int
    negative: int
    praise: int
    complaints: int
    customer: bool
    #: Example posts: the latest positive/praise ones and the latest negative/complaint ones.
    positive_posts: tuple[int, ...] = ()
    negative_posts: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Placement:
    author_id: int
    handle: str
    stage: str
    evidence: str
    post_ids: tuple[int, ...]
    #: How strongly the history supports the stage (posts counted), to list the clearest first.
    weight: int = 0


def place(history: MemberHistory, rules: FunnelRules = FunnelRules()) -> Placement:
    """The member's stage and the evidence for it."""
    h = history
    good = max(h.praise, h.positive)
    bad = max(h.complaints, h.negative)

    def placed(
        stage: str, evidence: str, posts: tuple[int, ...] = (), weight: int = 0
    ) -> Placement:
        return Placement(h.author_id, h.handle, stage, evidence, posts, weight or h.posts)

    if bad >= rules.detractor_min and bad > good:
        return placed(
            "detractor",
            f"{bad} negative or complaint posts, {good} positive",
            h.negative_posts,
            bad,
        )
    if (
        good >= rules.advocate_min
        and h.days >= rules.advocate_days
        and good > bad
        and (h.customer or not rules.advocate_requires_customer)
    ):
        return placed(
            "advocate", f"{good} positive or praise posts on {h.days} days", h.positive_posts, good
        )
    if h.customer:
        return placed("customer", "posted a review or opened a care case")
    if h.posts >= rules.engaged_posts or h.threads >= rules.engaged_threads:
        return placed("engaged", f"{h.posts} posts in {h.threads} threads")
    return placed("newcomer", f"{h.posts} post(s)")


def funnel_counts(placements: list[Placement]) -> dict[str, int]:
    """How many members sit at each stage, in funnel order."""
    counts = dict.fromkeys(STAGES, 0)
    for placement in placements:
        counts[placement.stage] += 1
    return counts
