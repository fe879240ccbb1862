"""Influencers: authors ranked by reach × engagement × sentiment toward the brand × trust.

  reach      = log10(1 + followers)
  engagement = 1 + log1p(mean likes + replies + shares per post)
  sentiment  = (1 + mean polarity) / 2, in [0, 1] (polarity = P(positive) − P(negative))
  trust      = 0.5 + 0.125 × trust level (0–4); 0.5 for authors who are not members
Sanctioned members (an unlifted sanction or strikes) and bot-like accounts (a share of spam
posts of at least `bot_spam_share`, or flagged by screening) are left out, with the reason kept
so the console can say why someone is missing.

Critics are the other side: the same reach × engagement × trust, times how negative they are
((1 − sentiment)); a care team wants to know them before a complaint goes viral."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AuthorStats:
    author_id: int
    handle: str
    followers: int
    posts: int
    interactions: int
    polarity_sum: float
    trust_level: int | None
    sanctioned: bool
    spam_posts: int = 0
    flagged_bot: bool = False
    post_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Influencer:
    author_id: int
    handle: str
    followers: int
    posts: int
    reach: float
    engagement: float
    sentiment: float
    trust: float
    score: float
    post_ids: tuple[int, ...]


def excluded_because(stats: AuthorStats, bot_spam_share: float = 0.3) -> str | None:
    """Why an author may not appear among influencers, or None."""
    if stats.sanctioned:
        return "sanctioned"
    if stats.flagged_bot or (stats.posts and stats.spam_posts / stats.posts >= bot_spam_share):
        return "bot-like"
    return None


def score(stats: AuthorStats) -> Influencer:
    posts = max(stats.posts, 1)
    reach = math.log10(1 + max(stats.followers, 0))
    engagement = 1 + math.log1p(stats.interactions / posts)
    sentiment = (1 + max(-1.0, min(1.0, stats.polarity_sum / posts))) / 2
    trust = 0.5 if stats.trust_level is None else 0.5 + 0.125 * max(0, min(stats.trust_level, 4))
    return Influencer(
        author_id=stats.author_id,
        handle=stats.handle,
        followers=stats.followers,
        posts=stats.posts,
        reach=round(reach, 3),
        engagement=round(engagement, 3),
        sentiment=round(sentiment, 3),
        trust=trust,
        score=round(reach * engagement * sentiment * trust, 3),
        post_ids=stats.post_ids,
    )


def rank(authors: list[AuthorStats], limit: int = 20) -> list[Influencer]:
    """The top `limit` eligible authors, highest score first (ties: more followers, then id)."""
    ranked = [score(stats) for stats in authors if excluded_because(stats) is None]
    ranked.sort(key=lambda item: (-item.score, -item.followers, item.author_id))
    return ranked[:limit]


def critics(authors: list[AuthorStats], limit: int = 10) -> list[Influencer]:
    """High-reach authors who speak badly of the brand, most influential first."""
    found = []
    for stats in authors:
        if excluded_because(stats) is not None:
            continue
        item = score(stats)
        if item.sentiment >= 0.4:
            continue
        weight = round(item.reach * item.engagement * (1 - item.sentiment) * item.trust, 3)
        found.append((weight, item))
    found.sort(key=lambda pair: (-pair[0], -pair[1].followers, pair[1].author_id))
    return [item for _, item in found[:limit]]
