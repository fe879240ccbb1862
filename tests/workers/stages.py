"""Pipelines for the worker tests: the default stages plus one test stage (a poison post that
always fails; a slow batch that leaves a marker file, so a test can kill a worker mid-batch)."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from gardien.pipeline.default import default_pipeline
from gardien.pipeline.record import StageContext, TriageRecord
from gardien.pipeline.runner import Pipeline

POISON = "☠"


class Poison:
    """Fails every batch holding a post with the poison mark (a bug that always fires)."""

    name = "poison"
    needs = frozenset({"post"})
    sets: frozenset[str] = frozenset()

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        for record in batch:
            if POISON in record.post.text:
                raise ValueError(f"cannot judge post {record.post.external_id}")


class Slow:
    """Takes its time over a batch, after writing `started-<pid>` into $GARDIEN_TEST_MARKS."""

    name = "slow"
    needs = frozenset({"post"})
    sets: frozenset[str] = frozenset()

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        marks = os.environ.get("GARDIEN_TEST_MARKS")
        if marks:
            (Path(marks) / f"started-{os.getpid()}").touch()
        time.sleep(float(os.environ.get("GARDIEN_TEST_SLOW_SECONDS", "0.2")))


def poison_pipeline() -> Pipeline:
    return Pipeline([Poison(), *default_pipeline().stages])


def slow_pipeline() -> Pipeline:
    return Pipeline([Slow(), *default_pipeline().stages])
