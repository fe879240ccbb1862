"""Stage: the accurate tier for the communities whose policy asks for it.

A server re-reads the tasks `GARDIEN_ACCURATE_TASKS` names for every community (`AccurateStage`,
refused at start when it cannot run). A community may ask for more in its policy (`accurate:
[intent, complaint]`): a care-heavy brand wants its questions and complaints read closely, a
busy fan forum does not. This stage runs those tasks' heads on the posts of the communities
that ask, only where the fast tier is unsure, as `AccurateStage` does. A policy is saved long
after the server started, so a task whose head or libraries are missing here is not an error:
the post keeps its fast score and says so (`classifiers.accurate.<task> = unavailable`).
"""

from __future__ import annotations

from collections.abc import Sequence

from gardien.classifiers.accurate import AccurateTier
from gardien.pipeline.record import StageContext, TriageRecord
from gardien.pipeline.signals import AccurateStage
from gardien.pipeline.watched_words import policy_for

#: The flag a post gets when its policy asks for a head this server cannot run.
UNAVAILABLE = "unavailable"


class AccurateOnRequest:
    """Re-scores, per task, the unsure posts of the communities whose policy lists the task."""

    name = "accurate.requested"
    sets = frozenset({"accurate.requested"})

    def __init__(self, skip: Sequence[str] = (), accurate: AccurateTier | None = None) -> None:
        from gardien.pipeline.signals import STAGES

        self.skip = frozenset(skip)  # already re-read for every community
        self.accurate = accurate or AccurateTier()
        # a pipeline may leave a signal out (tests record their own scores): the stage needs
        # no score, and leaves a task alone on a post that has none
        self.scored = {cls.task: cls.score_names()[0] for cls in STAGES}
        self.needs = frozenset({"language"})
        self._stages: dict[str, AccurateStage] = {}

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        asked: dict[str, list[TriageRecord]] = {}
        for record in batch:
            for task in policy_for(context, record.community).policy.accurate:
                score = record.signals.scores.get(self.scored.get(task, ""))
                if task not in self.skip and score is not None:
                    asked.setdefault(task, []).append(record)
        for name, records in asked.items():
            if not self.accurate.has(name):  # no head, or its libraries are not installed
                for record in records:
                    record.signals.flags[f"classifiers.accurate.{name}"] = UNAVAILABLE
                continue
            if name not in self._stages:
                self._stages[name] = AccurateStage(name, accurate=self.accurate)
            self._stages[name](records, context)
