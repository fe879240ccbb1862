"""The dashboard's numbers, summed from the counts the store groups in the database.

Pure: the store hands over counts, this module turns them into what the charts show."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from gardien.insights.labels import SENTIMENTS
from gardien.insights.trends import RisingRule, Trend, trend_of_counts, week_of, weeks_between


@dataclass(slots=True)
class Counts:
    """What the store counts for a dashboard, in three small groupings rather than one wide
    cube (whose cells would be nearly as many as the posts):
      volume:   (day, sentiment, n)
      mix:      (sentiment, intent, complaint, queue, language, channel_id, n)
      products: (product, intent, complaint, n), posts naming a product only;
      improvement: (product, day, n), their requests and complaints per day."""

    volume: list[tuple[date, str, int]] = field(default_factory=list)
    mix: list[tuple[str, str, bool, str, str, int, int]] = field(default_factory=list)
    products: list[tuple[str, str, bool, int]] = field(default_factory=list)
    improvement: list[tuple[str, date, int]] = field(default_factory=list)


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
    counts: Counts, since: date, until: date, rule: RisingRule = RisingRule()
) -> Dashboard:
    """Sum `counts` (all within since..until) into the dashboard's numbers."""
    board = Dashboard(since=since, until=until)
    sentiment: Counter[str] = Counter()
    intents: Counter[str] = Counter()
    channels: Counter[int] = Counter()
    languages: Counter[str] = Counter()
    queues: Counter[str] = Counter()
    for feeling, intent, complaint, queue, language, channel_id, n in counts.mix:
        board.total += n
        board.complaints += n if complaint else 0
        sentiment[feeling] += n
        intents[intent] += n
        channels[channel_id] += n
        languages[language] += n
        queues[queue] += n
    daily: dict[date, Counter[str]] = defaultdict(Counter)
    for day, feeling, n in counts.volume:
        daily[day][feeling] += n
    products: dict[str, Counter[str]] = defaultdict(Counter)
    product_weeks: dict[str, Counter[date]] = defaultdict(Counter)
    for product, intent, complaint, n in counts.products:
        tally = products[product]
        tally["mentions"] += n
        if intent == "praise":
            tally["praise"] += n
        elif intent == "feature_request":
            tally["requests"] += n
        elif intent == "complaint" or complaint:
            tally["complaints"] += n
    for product, day, n in counts.improvement:
        product_weeks[product][week_of(day)] += n
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
