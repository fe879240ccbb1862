"""The worker's tasks (Dramatiq actors), registered on a broker built from Settings: judging posts,
and the periodic jobs (outbox delivery, channel polling, care checks, scheduled reports).

Actors are made explicitly on the broker they belong to (not with the module-level decorator,
which would build a global broker at import). Their work needs the store and the pipeline,
which the worker process builds once, lazily, as `Services`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.errors import BrokerConnectionError
from dramatiq.middleware import CurrentMessage
from sqlalchemy.exc import DBAPIError, OperationalError

from gardien.app.policies import compiled_policies
from gardien.app.triage import build_context
from gardien.ops.logs import log_context
from gardien.ops.metrics import metrics
from gardien.pipeline.default import default_pipeline
from gardien.pipeline.record import StageContext
from gardien.pipeline.runner import Pipeline
from gardien.settings import Settings
from gardien.store.db import Database
from gardien.workers.broker import QueueNames
from gardien.workers.dispatch import JUDGE_ACTOR, BrokerRunner
from gardien.workers.judge import judge_posts
from gardien.workers.runners import TimedRunner

log = logging.getLogger(__name__)

#: Errors of the surroundings (database, broker), not of a post: retry the whole message.
TRANSIENT = (OperationalError, DBAPIError, BrokerConnectionError, redis.ConnectionError)
#: How long a worker keeps the stages' context (communities, compiled policies) before rereading.
CONTEXT_SECONDS = 30.0
#: Retries allowed for a transient error (with exponential backoff, about an hour in all).
TRANSIENT_RETRIES = 12


@dataclass
class Services:
    """What the tasks use, built once per worker process."""

    settings: Settings
    database: Database
    runner: TimedRunner
    sender: BrokerRunner
    redis: redis.Redis
    _context: StageContext | None = field(default=None)
    _context_at: float = 0.0

    @classmethod
    def build(cls, settings: Settings, pipeline: Pipeline | None = None) -> Services:
        database = Database.from_settings(settings)
        sender = BrokerRunner.from_settings(settings, database)
        return cls(
            settings=settings,
            database=database,
            runner=TimedRunner(pipeline or default_pipeline(settings), name="worker"),
            sender=sender,
            redis=sender.marks.client
            or redis.Redis.from_url(settings.redis_url.get_secret_value()),
        )

    def context(self) -> StageContext:
        """Communities and compiled policies, reread every CONTEXT_SECONDS (policy changes)."""
        if self._context is None or time.monotonic() - self._context_at > CONTEXT_SECONDS:
            self._context = build_context(self.database, compiled_policies, self.settings)
            self._context_at = time.monotonic()
        return self._context

    def close(self) -> None:
        self.sender.close()
        self.database.dispose()


def _message_id() -> str:
    message = CurrentMessage.get_current_message()
    return "" if message is None else message.message_id


def judge(services: Services, post_ids: list[int]) -> None:
    """Judge the posts; a batch that fails for a reason other than the surroundings is split into
    one message per post, so only the poison post retries and ends as a dead letter."""
    with log_context(message_id=_message_id(), post_ids=post_ids):
        try:
            report = judge_posts(services.database, services.runner, services.context(), post_ids)
        except TRANSIENT:
            metrics().errors.labels("judge_transient").inc()
            raise
        except Exception:
            metrics().errors.labels("judge").inc()
            if len(post_ids) <= 1:
                raise
            log.warning("batch failed; sending its posts one by one", exc_info=True)
            for post_id in post_ids:
                if not services.sender.send([post_id]):
                    raise
            return
        log.info(
            "judged",
            extra={"judged": report.judged, "already": report.already, "earlier": report.earlier},
        )


def _retry_when(max_retries: int) -> Callable[[int, BaseException], bool]:
    def retry(retries: int, error: BaseException) -> bool:
        limit = TRANSIENT_RETRIES if isinstance(error, TRANSIENT) else max_retries
        return retries < limit

    return retry


def register_tasks(
    broker: RabbitmqBroker, settings: Settings, services: Callable[[], Services]
) -> dict[str, dramatiq.Actor[Any, Any]]:
    """Declare the actors on `broker`; `services` is called in the worker when a task runs."""
    from gardien.workers.jobs import JOBS  # the jobs import the app's use cases

    names = QueueNames(settings.queue_prefix)
    options: dict[str, Any] = {
        "retry_when": _retry_when(settings.worker_max_retries),
        "min_backoff": settings.worker_min_backoff_ms,
        "max_backoff": 300_000,
        "time_limit": 300_000,
    }
    actors: dict[str, dramatiq.Actor[Any, Any]] = {
        JUDGE_ACTOR: dramatiq.Actor(
            lambda post_ids: judge(services(), post_ids),
            broker=broker,
            actor_name=JUDGE_ACTOR,
            queue_name=names.judge,
            priority=0,
            options=options,
        )
    }
    for job in JOBS:
        actors[job.name] = dramatiq.Actor(
            _job_runner(job.name, services),
            broker=broker,
            actor_name=job.name,
            queue_name=names.jobs,
            priority=0,
            options={**options, "max_retries": 0, "retry_when": None},
        )
    return actors


def _job_runner(name: str, services: Callable[[], Services]) -> Callable[[], None]:
    def run() -> None:
        from gardien.workers.jobs import run_job

        with log_context(message_id=_message_id(), job=name):
            run_job(services(), name)

    return run
