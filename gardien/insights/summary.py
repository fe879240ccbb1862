"""The report's short written summary: a few sentences a marketing lead can forward as is."""

from __future__ import annotations

from collections.abc import Sequence

from gardien.insights.dashboard import Dashboard
from gardien.insights.themes import Theme


def _pct(share: float) -> str:
    return f"{share * 100:.0f} %"


def summarise(
    board: Dashboard,
    themes: Sequence[Theme],
    funnel: dict[str, int],
    median_response_minutes: float | None,
    answered_share: float,
) -> list[str]:
    """Sentences, most important first; empty periods say so plainly."""
    if not board.total:
        return ["No posts in this period."]
    positive = board.sentiment.get("positive", 0) / board.total
    negative = board.sentiment.get("negative", 0) / board.total
    lines = [
        f"{board.total} posts: {_pct(positive)} positive, {_pct(negative)} negative; "
        f"complaints are {_pct(board.complaint_share)} of the volume."
    ]
    praised = max(board.products, key=lambda p: p.praise, default=None)
    wanted = max(board.products, key=lambda p: p.improvement, default=None)
    if praised and praised.praise:
        lines.append(f"Most praised: {praised.name} ({praised.praise} posts).")
    if wanted and wanted.improvement:
        lines.append(
            f"Most improvement requests and complaints: {wanted.name} "
            f"({wanted.requests} requests, {wanted.complaints} complaints)."
        )
    rising = [p.name for p in board.products if p.improvement_trend.rising]
    rising += [t.label for t in themes if t.trend.rising]
    if rising:
        lines.append("Rising fast this week: " + "; ".join(rising[:4]) + ".")
    if median_response_minutes is not None:
        hours = median_response_minutes / 60
        lines.append(
            f"The brand answered {_pct(answered_share)} of questions and complaints, "
            f"in {hours:.1f} h at the median."
        )
    lines.append(
        f"Advocates: {funnel.get('advocate', 0)}; detractors to win back: "
        f"{funnel.get('detractor', 0)}."
    )
    return lines
