"""The broker: Dramatiq on RabbitMQ, with publisher confirms, durable queues, persistent messages
and a dead-letter queue per queue (Dramatiq's `<queue>.XQ`). Built from Settings, never at import."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import pika
import pika.exceptions
from dramatiq import Middleware
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.common import dq_name, xq_name
from dramatiq.middleware import CurrentMessage, default_middleware

from gardien.settings import Settings


@dataclass(frozen=True, slots=True)
class QueueNames:
    """Every queue Gardien uses, under one prefix (tests give each run its own)."""

    prefix: str

    @property
    def judge(self) -> str:
        return f"{self.prefix}.judge"

    @property
    def jobs(self) -> str:
        """Periodic jobs and the outbox: short, and never behind a backlog of posts."""
        return f"{self.prefix}.jobs"

    def all(self) -> tuple[str, ...]:
        return (self.judge, self.jobs)


def make_broker(settings: Settings, extra: list[Middleware] | None = None) -> RabbitmqBroker:
    """A RabbitMQ broker that waits for the server's confirm of every message it publishes."""
    # Dramatiq calls the `after_*` hooks in reverse order: `extra` goes first so that it sees a
    # message after Retries has decided its fate.
    middleware = [*(extra or []), *(cls() for cls in default_middleware), CurrentMessage()]
    return RabbitmqBroker(
        url=settings.broker_url.get_secret_value(),
        confirm_delivery=True,
        middleware=middleware,
    )


def queue_depths(settings: Settings) -> dict[str, int]:
    """Messages ready in each queue, its delay queue and its dead-letter queue (passive declare:
    nothing is created); a queue that does not exist yet counts 0."""
    names = QueueNames(settings.queue_prefix)
    depths: dict[str, int] = {}
    parameters = pika.URLParameters(settings.broker_url.get_secret_value())
    parameters.socket_timeout = 2
    parameters.blocked_connection_timeout = 2
    connection = pika.BlockingConnection(parameters)
    try:
        for queue in names.all():
            for name in (queue, dq_name(queue), xq_name(queue)):
                channel = connection.channel()
                try:
                    result = channel.queue_declare(name, passive=True)
                    depths[name] = int(result.method.message_count)
                except pika.exceptions.ChannelClosedByBroker:
                    depths[name] = 0
                finally:
                    with contextlib.suppress(pika.exceptions.AMQPError):
                        if channel.is_open:
                            channel.close()
    finally:
        connection.close()
    return depths


def ping(settings: Settings) -> None:
    """Raise unless the broker accepts a connection (readiness)."""
    parameters = pika.URLParameters(settings.broker_url.get_secret_value())
    parameters.socket_timeout = 2
    parameters.connection_attempts = 1
    pika.BlockingConnection(parameters).close()


def delete_queues(settings: Settings) -> None:
    """Remove every queue under the prefix (tests clean up after themselves with this)."""
    names = QueueNames(settings.queue_prefix)
    connection = pika.BlockingConnection(pika.URLParameters(settings.broker_url.get_secret_value()))
    try:
        channel = connection.channel()
        for queue in names.all():
            for name in (queue, dq_name(queue), xq_name(queue)):
                channel.queue_delete(name)
    finally:
        connection.close()
