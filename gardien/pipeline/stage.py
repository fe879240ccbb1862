"""What a stage is: a named callable over a batch that declares the keys it needs and sets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from gardien.pipeline.record import StageContext, TriageRecord

#: Keys every record has before any stage runs.
PROVIDED = frozenset({"post", "author", "member", "community"})


@runtime_checkable
class Stage(Protocol):
    """A pipeline stage. It mutates the records of the batch it is given and does no I/O.

    `needs` and `sets` are keys such as ``"text.normalized"``, ``"language"``,
    ``"score.offensive"``, ``"matches.watched_words"`` or ``"decision"``; the runner refuses a
    pipeline in which a stage needs a key that no earlier stage sets.
    """

    name: str
    needs: frozenset[str]
    sets: frozenset[str]

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None: ...
