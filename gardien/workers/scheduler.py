"""The scheduler: a clock that sends each periodic job to the workers when it is due. One
scheduler leads at a time (a Redis lock renewed every tick), so running two for safety does not
double the jobs; it does no work itself, so it stays small and never falls behind."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import redis
from dramatiq import Message
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.errors import BrokerConnectionError

from gardien.ops.metrics import metrics
from gardien.ops.shutdown import Stopping
from gardien.settings import Settings
from gardien.workers.broker import QueueNames, make_broker
from gardien.workers.jobs import JOBS, Job

log = logging.getLogger(__name__)
TICK_SECONDS = 1.0


@dataclass
class Scheduler:
    settings: Settings
    broker: RabbitmqBroker
    client: redis.Redis
    jobs: tuple[Job, ...] = JOBS
    last: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> Scheduler:
        client = redis.Redis.from_url(
            settings.redis_url.get_secret_value(), socket_timeout=2, socket_connect_timeout=2
        )
        return cls(settings, make_broker(settings), client)

    def leads(self, me: str) -> bool:
        """Hold (or renew) the leader lock; False while another scheduler holds it."""
        key = f"{self.settings.queue_prefix}:scheduler"
        try:
            if self.client.set(key, me, nx=True, ex=int(TICK_SECONDS * 5)):
                return True
            if self.client.get(key) == me.encode():
                self.client.expire(key, int(TICK_SECONDS * 5))
                return True
            return False
        except redis.RedisError:  # no Redis: lead alone (jobs run under their own locks anyway)
            metrics().errors.labels("redis").inc()
            return True

    def tick(self, now: float, me: str = "scheduler") -> list[str]:
        """Send every job whose period has passed; returns their names."""
        if not self.leads(me):
            return []
        queue = QueueNames(self.settings.queue_prefix).jobs
        sent = []
        for job in self.jobs:
            if now - self.last.get(job.name, 0.0) < job.every_seconds:
                continue
            message: Message[Any] = Message(
                queue_name=queue, actor_name=job.name, args=(), kwargs={}, options={}
            )
            try:
                self.broker.declare_queue(queue)
                self.broker.enqueue(message)
            except BrokerConnectionError:
                log.warning("broker unavailable; job not sent", extra={"job": job.name})
                metrics().errors.labels("broker").inc()
                continue
            self.last[job.name] = now
            sent.append(job.name)
        return sent

    def run(self, stopping: Stopping, me: str = "scheduler") -> None:
        log.info("scheduler started", extra={"jobs": [job.name for job in self.jobs]})
        while not stopping.requested:
            sent = self.tick(time.monotonic(), me)
            if sent:
                log.info("jobs sent", extra={"jobs": sent})
            stopping.wait(TICK_SECONDS)
        self.broker.close()
        log.info("scheduler stopped")
