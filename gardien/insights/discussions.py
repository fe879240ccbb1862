"""Good discussions worth featuring, and conversation prompts drawn from rising themes.

A thread scores when it is constructive (positive rather than negative, nothing held for
moderation), on topic and busy with distinct people:
  score = log2(1 + participants) × (0.5 + positive share − negative share / 2)
          × (1 − flagged share) × (1 − off-topic share)
Threads with fewer than `min_participants` people are not candidates."""

from __future__ import annotations

import math
from dataclasses import dataclass

from gardien.insights.themes import Theme


@dataclass(frozen=True, slots=True)
class ThreadStats:
    thread: str
    root_post_id: int
    posts: int
    participants: int
    positive: int
    negative: int
    flagged: int
    off_topic: int


@dataclass(frozen=True, slots=True)
class Discussion:
    thread: str
    root_post_id: int
    posts: int
    participants: int
    score: float


def score(stats: ThreadStats) -> float:
    posts = max(stats.posts, 1)
    tone = 0.5 + stats.positive / posts - stats.negative / posts / 2
    clean = 1 - stats.flagged / posts
    on_topic = 1 - stats.off_topic / posts
    return round(math.log2(1 + stats.participants) * max(tone, 0) * clean * on_topic, 3)


def best(
    threads: list[ThreadStats], limit: int = 10, min_participants: int = 3
) -> list[Discussion]:
    """The threads most worth pinning or putting in the weekly digest, best first."""
    found = [
        Discussion(t.thread, t.root_post_id, t.posts, t.participants, score(t))
        for t in threads
        if t.participants >= min_participants
    ]
    found = [d for d in found if d.score > 0]
    found.sort(key=lambda d: (-d.score, -d.participants, d.root_post_id))
    return found[:limit]


PROMPTS = {
    "en": "Lots of you are talking about “{label}” this week: what has your experience been?",
    "fr": "Beaucoup d'entre vous parlent de « {label} » cette semaine : quelle est votre expérience ?",
}


def prompts(themes: list[Theme], locale: str = "en", limit: int = 3) -> list[str]:
    """Conversation starters from the themes rising fastest (then the largest)."""
    template = PROMPTS.get(locale, PROMPTS["en"])
    ordered = sorted(themes, key=lambda t: (not t.trend.rising, -(t.trend.growth or 0), -t.size))
    return [
        template.format(label=" ".join(theme.terms[:2]) or theme.label) for theme in ordered[:limit]
    ]
