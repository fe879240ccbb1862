"""The report's charts: each takes computed numbers and a `link(**filters)` that returns the
address of the posts behind a number, and gives inline SVG (see `svg`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gardien.insights.dashboard import Dashboard
from gardien.insights.svg import COLOURS, Bar, Segment, bars, columns, legend
from gardien.insights.themes import Theme

Link = Callable[..., str]
SENTIMENTS = ("positive", "neutral", "negative", "unknown")


def volume(board: Dashboard, link: Link) -> str:
    """Posts per day (or week), stacked by sentiment; each column links to its posts."""
    unit = "day" if board.bucket_days == 1 else "week"
    labels = [start.strftime("%d/%m") for start, _ in board.buckets]
    series = [(name, [float(c[name]) for _, c in board.buckets]) for name in SENTIMENTS]
    hrefs = [link(day=start.isoformat(), days=board.bucket_days) for start, _ in board.buckets]
    return columns(labels, series, f"Posts per {unit}, by sentiment", hrefs)


def sentiment(board: Dashboard, link: Link) -> str:
    items = [
        Bar(name, (Segment(count, COLOURS.get(name, "#bbb"), link(sentiment=name), name),))
        for name, count in board.sentiment.items()
        if count or name != "unknown"
    ]
    return bars(items, "Sentiment")


def products(board: Dashboard, link: Link, limit: int = 12) -> str:
    """Praise against improvement requests and complaints, per product."""
    items = [
        Bar(
            p.name,
            (
                Segment(
                    p.praise, COLOURS["praise"], link(product=p.name, intent="praise"), "praise"
                ),
                Segment(
                    p.requests,
                    COLOURS["feature_request"],
                    link(product=p.name, intent="feature_request"),
                    "improvement requests",
                ),
                Segment(
                    p.complaints,
                    COLOURS["complaint"],
                    link(product=p.name, complaint=1),
                    "complaints",
                ),
            ),
            note=f"+{p.praise} / −{p.improvement}"
            + (" ▲ rising" if p.improvement_trend.rising else ""),
        )
        for p in board.products[:limit]
    ]
    return bars(items, "Praise vs improvement requests and complaints, per product")


def themes(found: Sequence[Theme], link: Link) -> str:
    items = [
        Bar(
            theme.label,
            (Segment(theme.size, COLOURS["volume"], link(theme=theme.id), theme.label),),
            note=f"{theme.size}" + (" ▲ rising" if theme.trend.rising else ""),
        )
        for theme in found
    ]
    return bars(items, "Themes (posts per theme)", label_width=200)


def funnel(counts: dict[str, int], link: Link) -> str:
    items = [
        Bar(
            stage,
            (
                Segment(
                    count,
                    COLOURS["stage"] if stage != "detractor" else COLOURS["negative"],
                    link(stage=stage),
                    stage,
                ),
            ),
        )
        for stage, count in counts.items()
    ]
    return bars(items, "Advocacy funnel (members per stage)")


def keys() -> str:
    return legend(["positive", "neutral", "negative", "praise", "feature_request", "complaint"])
