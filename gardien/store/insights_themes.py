"""Stored themes: clustering a period's posts takes about a second, so it runs as a batch job
(`gardien report themes`, the `refresh_insights` worker job) and pages serve what it stored.

A stored result is keyed by the community, period and filters; its `signature` (how many posts
and cells the daily summary holds for that scope) tells the job whether it is out of date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gardien.insights.themes import Theme
from gardien.insights.trends import Trend
from gardien.store.insights_dashboard import Scope, _daily_where
from gardien.store.tables_insights import DailyCountRow as D
from gardien.store.tables_insights import ThemeCacheRow


@dataclass(frozen=True, slots=True)
class StoredThemes:
    themes: list[Theme]
    signature: str
    computed_at: datetime


def scope_key(scope: Scope) -> str:
    """The period and filters of `scope` as one short string (the community is its own column)."""
    channel = "" if scope.channel_id is None else str(scope.channel_id)
    return f"{scope.since}..{scope.until}|{channel}|{scope.language or ''}"[:200]


def signature(session: Session, scope: Scope) -> str:
    """What the period holds, from the daily summary: changes when posts are added or judged
    differently (one covering-index read, a few milliseconds)."""
    posts, cells = session.execute(
        select(func.coalesce(func.sum(D.posts), 0), func.count()).where(*_daily_where(scope))
    ).one()
    return f"{int(posts)}:{int(cells)}"


def load(session: Session, scope: Scope) -> StoredThemes | None:
    row = session.scalar(
        select(ThemeCacheRow).where(
            ThemeCacheRow.community_id == scope.community_id,
            ThemeCacheRow.scope_key == scope_key(scope),
        )
    )
    if row is None:
        return None
    return StoredThemes([_theme(item) for item in row.themes], row.signature, row.computed_at)


def save(session: Session, scope: Scope, themes: list[Theme], signed: str, now: datetime) -> None:
    """Store (or replace) the themes of `scope`."""
    key = scope_key(scope)
    row = session.scalar(
        select(ThemeCacheRow).where(
            ThemeCacheRow.community_id == scope.community_id, ThemeCacheRow.scope_key == key
        )
    )
    if row is None:
        row = ThemeCacheRow(community_id=scope.community_id, scope_key=key)
        session.add(row)
    row.signature = signed
    row.themes = [_plain(theme) for theme in themes]
    row.computed_at = now
    session.flush()


def _plain(theme: Theme) -> dict[str, Any]:
    return {
        "id": theme.id,
        "label": theme.label,
        "terms": list(theme.terms),
        "post_ids": list(theme.post_ids),
        "weeks": [week.isoformat() for week in theme.trend.weeks],
        "counts": list(theme.trend.counts),
        "rising": theme.trend.rising,
        "growth": theme.trend.growth,
    }


def _theme(item: dict[str, Any]) -> Theme:
    trend = Trend(
        tuple(date.fromisoformat(week) for week in item["weeks"]),
        tuple(int(n) for n in item["counts"]),
        bool(item["rising"]),
        item["growth"],
    )
    return Theme(
        int(item["id"]),
        str(item["label"]),
        tuple(item["terms"]),
        tuple(int(n) for n in item["post_ids"]),
        trend,
    )
