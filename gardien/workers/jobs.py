"""The periodic jobs the scheduler sends and the workers run. Each runs under a Redis lock (two
workers never run the same job at once) and reports failures in the logs and /metrics rather
than as dead letters: the next tick runs it again. A job is a name, a period and a function of
the worker's Services; new periodic work (an area's own timers) is one more entry in JOBS."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import redis

from gardien.domain.time import utcnow
from gardien.ops.metrics import metrics

if TYPE_CHECKING:
    from gardien.workers.tasks import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[..., str]


def sweep_pending(services: Services) -> str:
    """Send every pending post not in flight (the recovery path: lost or never-sent messages)."""
    from gardien.app.triage import triage_pending

    report = triage_pending(
        services.database, services.sender, services.context(), services.settings.triage_batch_size
    )
    return f"{report.judged} pending posts looked at"


def deliver_outbox(services: Services) -> str:
    """Carry out the due outbound actions: alerts here, channel actions through the adapters."""
    from gardien.app.care import AlertTransport, deliver_alerts
    from gardien.channels.dispatch import Dispatcher

    dispatcher = Dispatcher(services.database)
    try:
        sent = deliver_alerts(services.database, utcnow(), AlertTransport(), dispatcher)
    finally:
        dispatcher.close()
    return f"{sent.delivered} delivered, {sent.retried} to retry, {sent.dead} dead"


def poll_channels(services: Services) -> str:
    """Poll the listened channels once (each on its own schedule), then send what arrived."""
    from gardien.app.listen import Listener
    from gardien.app.runtime import Runtime

    runtime = Runtime(services.settings, services.database, services.sender)
    listener = Listener(runtime, deliver=False, triage=True)
    try:
        cycle = listener.cycle(utcnow())
    finally:
        for adapter in listener.adapters.values():
            close = getattr(adapter, "close", None)
            if close is not None:
                close()
    return f"{len(cycle.polls)} channels polled, {cycle.triaged} posts sent"


def check_care(services: Services) -> str:
    """SLA warnings and breaches, rising cases, negative spikes."""
    from gardien.app.care import check_care as check

    report = check(services.database, utcnow())
    return f"{report.sla_breaches} SLA breaches, {len(report.spikes)} spikes"


def send_reports(services: Services) -> str:
    """The scheduled marketing reports that are due."""
    from gardien.app.reports import Mailer, send_due_reports

    return f"{send_due_reports(services.database, Mailer(), utcnow())} reports sent"


def refresh_insights(services: Services) -> str:
    """Insights' batch work: the themes of each community's last 28 days when they changed,
    and the funnels stored more than 12 hours ago."""
    from gardien.app.reports import refresh_stale_funnels, refresh_themes

    themes = refresh_themes(services.database)
    funnels = refresh_stale_funnels(services.database)
    return f"themes recomputed for {themes} communities, funnels for {funnels}"


def remind_events(services: Services) -> str:
    """Announce events starting within a day and remind who is going (once per event)."""
    from gardien.actions.insights import Who, do_queue_event_reminders

    with services.database.session() as session:
        count = do_queue_event_reminders(session, Who("rule:event-reminders", utcnow()))
    return f"{count} events reminded"


def refresh_members(services: Services) -> str:
    """Strikes decay and trust levels follow history, as each community's policy says; the
    shapes repeated-text detection kept of members' texts go once no look-back reads them."""
    from gardien.app.members import refresh_all_members
    from gardien.app.triage import prune_text_shapes

    context = services.context()
    refreshed = refresh_all_members(services.database, context)
    pruned = prune_text_shapes(services.database, context.history, utcnow())
    return f"{refreshed} members refreshed, {pruned} text shapes pruned"


JOBS: tuple[Job, ...] = (
    Job("sweep_pending", 5, sweep_pending),
    Job("deliver_outbox", 10, deliver_outbox),
    Job("poll_channels", 30, poll_channels),
    Job("check_care", 60, check_care),
    Job("send_reports", 300, send_reports),
    Job("refresh_insights", 900, refresh_insights),
    Job("refresh_members", 900, refresh_members),
    Job("remind_events", 900, remind_events),
)


def run_job(services: Services, name: str) -> None:
    """Run job `name` unless another worker is running it; log the outcome."""
    job = next(job for job in JOBS if job.name == name)
    lock = services.redis.lock(
        f"{services.settings.queue_prefix}:job:{name}", timeout=600, blocking=False
    )
    try:
        acquired = lock.acquire(blocking=False)
    except redis.RedisError:  # no Redis: run anyway, jobs are idempotent (at worst, twice at once)
        log.warning("job lock unavailable", exc_info=True)
        acquired, lock = True, None
    if not acquired:
        log.info("job already running elsewhere")
        return
    try:
        log.info("job done", extra={"outcome": job.run(services)})
    except Exception:  # the next tick tries again; the failure is visible in logs and metrics
        log.exception("job failed")
        metrics().errors.labels(f"job:{name}").inc()
    finally:
        if lock is not None:
            try:
                lock.release()
            except redis.RedisError:
                log.warning("job lock not released (expired?)", exc_info=True)
