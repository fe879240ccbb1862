"""A worker process: a Dramatiq worker consuming Gardien's queues until asked to stop.

Stopping is graceful: the threads finish the message in hand (its transaction commits, then it is
acknowledged), messages fetched but not started go back to the broker, and only then does the
process exit. A process killed outright loses nothing either: its unacknowledged messages are
redelivered by RabbitMQ when the connection drops."""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Callable

import dramatiq
from prometheus_client import start_http_server

from gardien.ops.metrics import metrics
from gardien.ops.shutdown import Stopping
from gardien.pipeline.runner import Pipeline
from gardien.settings import Settings
from gardien.workers.broker import QueueNames, make_broker
from gardien.workers.deadletters import RecordDeadLetters
from gardien.workers.tasks import Services, register_tasks

log = logging.getLogger(__name__)


def load_pipeline(spec: str, settings: Settings | None = None) -> Pipeline:
    """`module:function` returning a Pipeline (the default: the default pipeline).

    A factory that takes an argument is given the settings (the accurate tier's tasks, say).
    """
    module, _, name = spec.partition(":")
    factory: Callable[..., Pipeline] = getattr(importlib.import_module(module), name)
    if settings is not None and inspect.signature(factory).parameters:
        return factory(settings)
    return factory()


class GardienWorker:
    """The broker, its actors and a Dramatiq worker, with the services built on first use."""

    def __init__(
        self, settings: Settings, pipeline: Pipeline | None = None, threads: int = 1
    ) -> None:
        self.settings = settings
        self.pipeline = pipeline
        self.threads = threads
        self._services: Services | None = None
        self.broker = make_broker(settings, [RecordDeadLetters(lambda: self.services().database)])
        self.actors = register_tasks(self.broker, settings, self.services)
        self.worker: dramatiq.Worker | None = None

    def services(self) -> Services:
        if self._services is None:
            self._services = Services.build(self.settings, self.pipeline)
        return self._services

    def start(self) -> None:
        self.services().context()  # fail early (database, policies), not on the first message
        queues = set(QueueNames(self.settings.queue_prefix).all())
        for queue in queues:
            self.broker.declare_queue(queue, ensure=True)
        self.worker = dramatiq.Worker(
            self.broker, queues=queues, worker_threads=self.threads, worker_timeout=100
        )
        self.worker.start()
        log.info("worker started", extra={"queues": sorted(queues), "threads": self.threads})

    def stop(self, timeout_seconds: float = 60) -> None:
        """Finish the messages in hand, return the others, close connections."""
        if self.worker is not None:
            self.worker.stop(timeout=int(timeout_seconds * 1000))
            self.worker = None
        if self._services is not None:
            self._services.close()
            self._services = None
        self.broker.close()
        log.info("worker stopped")


def run_worker(
    settings: Settings,
    stopping: Stopping,
    threads: int = 1,
    pipeline: Pipeline | None = None,
    metrics_port: int = 0,
) -> None:
    """Run until `stopping` is raised (SIGTERM, SIGINT), then stop gracefully."""
    if metrics_port:
        start_http_server(metrics_port, addr="127.0.0.1", registry=metrics().registry)
    worker = GardienWorker(settings, pipeline, threads)
    worker.start()
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        worker.stop()
