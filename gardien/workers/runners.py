"""Runners beside the in-process default: the same stages timed per stage for /metrics, and the
choice between judging here and sending to workers, made once from Settings."""

from __future__ import annotations

import time
from collections.abc import Sequence

from gardien.ops.metrics import Metrics, metrics
from gardien.pipeline.record import StageContext, TriageRecord
from gardien.pipeline.runner import Pipeline, Runner
from gardien.settings import Settings
from gardien.store.db import Database


class TimedRunner:
    """InProcessRunner's work, stage by stage, each stage's time observed in the histogram."""

    def __init__(self, pipeline: Pipeline, name: str = "inline", meter: Metrics | None = None):
        self.pipeline = pipeline
        self.name = name
        self.meter = meter or metrics()

    def judge(self, batch: Sequence[TriageRecord], context: StageContext) -> list[TriageRecord]:
        records = list(batch)
        for stage in self.pipeline.stages:
            started = time.perf_counter()
            stage(records, context)
            self.meter.stage_seconds.labels(stage.name).observe(time.perf_counter() - started)
        self.meter.posts_judged.labels(self.name).inc(len(records))
        self.meter.batches.labels(self.name).inc()
        return records


def make_runner(settings: Settings, database: Database, pipeline: Pipeline) -> Runner:
    """Judge here (default), or hand posts to the workers when `triage_mode` is "broker"."""
    if settings.triage_mode == "broker":
        from gardien.workers.dispatch import BrokerRunner  # the broker's client only when asked

        return BrokerRunner.from_settings(settings, database)
    return TimedRunner(pipeline)
