"""Prometheus metrics. Two kinds: this process's own (stage latency, batches, errors, HTTP), kept
in one registry per process as Prometheus expects; and the store's totals (posts ingested and
judged, pending, SLA breaches, dead letters, queue depth), read at scrape time so that any number
of processes on any number of hosts report one truth."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from gardien.store.db import Database
from gardien.store.tables import OutboxRow, PostRow
from gardien.store.tables_care import SlaBreachRow
from gardien.store.tables_workers import DeadLetterRow

#: Latency buckets (seconds) fit for stages that take micro- to milliseconds per batch.
STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)


@dataclass(frozen=True)
class Metrics:
    """This process's instruments, registered in its own registry."""

    registry: CollectorRegistry
    stage_seconds: Histogram
    posts_judged: Counter
    batches: Counter
    errors: Counter
    http_requests: Counter
    http_seconds: Histogram
    dead_letters: Counter

    def expose(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)


def new_metrics() -> Metrics:
    """A fresh set of instruments in a fresh registry (tests use their own)."""
    registry = CollectorRegistry()
    return Metrics(
        registry=registry,
        stage_seconds=Histogram(
            "gardien_stage_seconds",
            "Time one pipeline stage took over one batch.",
            ["stage"],
            buckets=STAGE_BUCKETS,
            registry=registry,
        ),
        posts_judged=Counter(
            "gardien_process_posts_judged",
            "Posts this process ran through the pipeline.",
            ["runner"],
            registry=registry,
        ),
        batches=Counter(
            "gardien_process_batches", "Batches this process judged.", ["runner"], registry=registry
        ),
        errors=Counter(
            "gardien_errors", "Errors by where they happened.", ["where"], registry=registry
        ),
        http_requests=Counter(
            "gardien_http_requests",
            "HTTP requests answered, by method and status.",
            ["method", "status"],
            registry=registry,
        ),
        http_seconds=Histogram(
            "gardien_http_request_seconds", "Time to answer an HTTP request.", registry=registry
        ),
        dead_letters=Counter(
            "gardien_process_dead_letters",
            "Messages this process gave up on.",
            ["actor"],
            registry=registry,
        ),
    )


@cache
def metrics() -> Metrics:
    """This process's instruments: one registry per process, as Prometheus clients expect."""
    return new_metrics()


class StoreCollector(Collector):
    """Totals read from the store at scrape time, plus the broker's queue depths when known."""

    def __init__(
        self, database: Database, queue_depths: Callable[[], dict[str, int]] | None = None
    ) -> None:
        self.database = database
        self.queue_depths = queue_depths

    def collect(self) -> Iterator[Metric]:
        with self.database.session() as session:
            posts = session.scalar(select(func.count()).select_from(PostRow)) or 0
            pending = (
                session.scalar(
                    select(func.count()).select_from(PostRow).where(PostRow.triaged_at.is_(None))
                )
                or 0
            )
            breaches = session.execute(
                select(SlaBreachRow.kind, func.count()).group_by(SlaBreachRow.kind)
            ).all()
            dead = session.scalar(select(func.count()).select_from(DeadLetterRow)) or 0
            outbox = session.execute(
                select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
            ).all()
        yield CounterMetricFamily("gardien_posts_ingested", "Posts stored.", value=posts)
        yield CounterMetricFamily(
            "gardien_posts_judged", "Posts with a decision.", value=posts - pending
        )
        yield GaugeMetricFamily("gardien_posts_pending", "Posts awaiting judgement.", value=pending)
        sla = CounterMetricFamily(
            "gardien_sla_breaches", "SLA warnings and breaches recorded.", labels=["kind"]
        )
        for kind, count in breaches:
            sla.add_metric([str(kind)], count)
        yield sla
        yield CounterMetricFamily(
            "gardien_dead_letters", "Messages that failed for good.", value=dead
        )
        actions = GaugeMetricFamily("gardien_outbox_actions", "Outbox rows.", labels=["status"])
        for status, count in outbox:
            actions.add_metric([str(status)], count)
        yield actions
        depth = GaugeMetricFamily(
            "gardien_queue_depth",
            "Work waiting: messages ready in each broker queue; inline, the pending posts.",
            labels=["queue"],
        )
        depths = {"inline": pending} if self.queue_depths is None else self.queue_depths()
        for queue, count in sorted(depths.items()):
            depth.add_metric([queue], count)
        yield depth


def scrape(database: Database, queue_depths: Callable[[], dict[str, int]] | None = None) -> bytes:
    """What /metrics answers: this process's instruments, then the store's totals."""
    registry = CollectorRegistry()
    registry.register(StoreCollector(database, queue_depths))
    return metrics().expose() + generate_latest(registry)
