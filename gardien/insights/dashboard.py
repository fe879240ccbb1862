"""The dashboard's numbers, computed from a "cube" of counts (one count per day × sentiment ×
intent × complaint × channel × language × product × queue) that the store reads in one pass.

Pure: the store hands over cells, this module sums them into what the charts show."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from gardien.insights.labels import SENTIMENTS
from gardien.insights.trends import RisingRule, Trend, trend_of_counts, week_of, weeks_between


@dataclass(frozen=True, slots=True)
class Cell:
    day: date
    sentiment: str
    intent: str
    complaint: bool
    channel_id: int
    language: str
    product: str | None
    queue: str
    count: int


@dataclass(frozen=True, slots=True)
class ProductBalance:
    """Praise against improvement requests and complaints for one product or aspect."""

    name: str
    praise: int
    requests: int
    complaints: int
    mentions: int
    improvement_trend: Trend

    @property
    def improvement(self) -> int:
        return self.requests + self.complaints


@dataclass(slots=True)
class Dashboard:
    since: date
    until: date
    total: int = 0
    complaints: int = 0
    sentiment: dict[str, int] = field(default_factory=dict)
    intents: dict[str, int] = field(default_factory=dict)
    #: One bucket per day (per week when the period is longer than `DAILY_UP_TO` days).
    buckets: list[tuple[date, dict[str, int]]] = field(default_factory=list)
    bucket_days: int = 1
    products: list[ProductBalance] = field(default_factory=list)
    channels: dict[int, int] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)
    queues: dict[str, int] = field(default_factory=dict)

    @property
    def complaint_share(self) -> float:
        return round(self.complaints / self.total, 4) if self.total else 0.0


DAILY_UP_TO = 62


def assemble(
    cells: Iterable[Cell], since: date, until: date, rule: RisingRule = RisingRule()
) -> Dashboard:
    """Sum `cells` (all within since..until) into the dashboard's numbers."""
    board = Dashboard(since=since, until=until)
    sentiment: Counter[str] = Counter()
    intents: Counter[str] = Counter()
    channels: Counter[int] = Counter()
    languages: Counter[str] = Counter()
    queues: Counter[str] = Counter()
    daily: dict[date, Counter[str]] = defaultdict(Counter)
    products: dict[str, Counter[str]] = defaultdict(Counter)
    product_weeks: dict[str, Counter[date]] = defaultdict(Counter)
    for cell in cells:
        n = cell.count
        board.total += n
        board.complaints += n if cell.complaint else 0
        sentiment[cell.sentiment] += n
        intents[cell.intent] += n
        channels[cell.channel_id] += n
        languages[cell.language] += n
        queues[cell.queue] += n
        daily[cell.day][cell.sentiment] += n
        if cell.product:
            tally = products[cell.product]
            tally["mentions"] += n
            if cell.intent == "praise":
                tally["praise"] += n
            elif cell.intent == "feature_request":
                tally["requests"] += n
            elif cell.intent == "complaint" or cell.complaint:
                tally["complaints"] += n
            if cell.intent in ("feature_request", "complaint") or cell.complaint:
                product_weeks[cell.product][week_of(cell.day)] += n
    board.sentiment = {name: sentiment.get(name, 0) for name in (*SENTIMENTS, "unknown")}
    board.intents = dict(intents.most_common())
    board.channels = dict(channels.most_common())
    board.languages = dict(languages.most_common())
    board.queues = dict(queues.most_common())
    board.bucket_days = 1 if (until - since).days < DAILY_UP_TO else 7
    board.buckets = _buckets(daily, since, until, board.bucket_days)
    weeks = tuple(weeks_between(since, until))
    board.products = sorted(
        (
            ProductBalance(
                name=name,
                praise=tally["praise"],
                requests=tally["requests"],
                complaints=tally["complaints"],
                mentions=tally["mentions"],
                improvement_trend=trend_of_counts(
                    weeks, tuple(product_weeks[name].get(week, 0) for week in weeks), rule
                ),
            )
            for name, tally in products.items()
        ),
        key=lambda balance: (-balance.mentions, balance.name),
    )
    return board


def _buckets(
    daily: dict[date, Counter[str]], since: date, until: date, size: int
) -> list[tuple[date, dict[str, int]]]:
    start = since if size == 1 else week_of(since)
    buckets = []
    while start <= until:
        total: Counter[str] = Counter()
        for offset in range(size):
            total.update(daily.get(start + timedelta(days=offset), Counter()))
        buckets.append((start, {name: total.get(name, 0) for name in (*SENTIMENTS, "unknown")}))
        start += timedelta(days=size)
    return buckets
