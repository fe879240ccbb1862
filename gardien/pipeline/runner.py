"""Assemble stages into a checked pipeline, and run it; in-process here, on workers elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gardien.errors import PipelineError
from gardien.pipeline.record import StageContext, TriageRecord
from gardien.pipeline.stage import PROVIDED, Stage


class Pipeline:
    """An ordered list of stages whose needs have been checked against what earlier stages set."""

    def __init__(self, stages: Sequence[Stage], provided: frozenset[str] = PROVIDED) -> None:
        available = set(provided)
        names: set[str] = set()
        for position, stage in enumerate(stages, start=1):
            if stage.name in names:
                raise PipelineError(f"stage {stage.name!r} appears twice in the pipeline")
            names.add(stage.name)
            missing = sorted(stage.needs - available)
            if missing:
                raise PipelineError(
                    f"stage {position} {stage.name!r} needs {', '.join(missing)}, "
                    f"which no earlier stage sets; put a stage that sets it before {stage.name!r}"
                )
            available |= stage.sets
        self.stages: tuple[Stage, ...] = tuple(stages)
        self.keys = frozenset(available)

    @property
    def names(self) -> list[str]:
        """Stage names in order, for logs and the console."""
        return [stage.name for stage in self.stages]

    def run(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        """Run every stage over the batch, in order, in this process."""
        for stage in self.stages:
            stage(batch, context)


class Runner(Protocol):
    """Something that judges batches of records with a pipeline (in-process, or via a broker)."""

    def judge(self, batch: Sequence[TriageRecord], context: StageContext) -> list[TriageRecord]: ...


class InProcessRunner:
    """The default runner: the whole pipeline, in this process, batch after batch."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    def judge(self, batch: Sequence[TriageRecord], context: StageContext) -> list[TriageRecord]:
        """Judge a batch and return its records with signals and decisions set."""
        records = list(batch)
        self.pipeline.run(records, context)
        return records
