"""A small named cast for the policy tests: posts, authors and members made by factories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gardien.domain import Author, Language, Member, Post, Score, Signals

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def author(handle: str = "alice", age_days: float = 400, followers: int = 10) -> Author:
    return Author("forum", handle, handle, handle.title(), followers, NOW - timedelta(age_days))


def member(who: Author, days: float = 200, strikes: int = 0, trust: int = 1) -> Member:
    return Member("acme", who, NOW - timedelta(days), trust, strikes)


def post(text: str, language: str = "en", external_id: str = "p1") -> Post:
    return Post("forum", external_id, "alice", text, NOW, language=language)


def signals(language: str = "en", **scores: float) -> Signals:
    """Signals with `scores` given as keyword arguments; dots written as `__`."""
    return Signals(
        language=Language(language, 0.99),
        scores={name.replace("__", "."): Score(value) for name, value in scores.items()},
    )
