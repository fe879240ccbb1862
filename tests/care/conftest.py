"""The care tests' world: the community 'velo' with recorded signals instead of classifiers, so
every score in a test is one the test wrote (scores travel in each record's `scores` field)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest

from gardien.actions import care_setup
from gardien.app.ingest import ingest_and_triage
from gardien.app.runtime import Runtime
from gardien.channels.parse import parse_json_line
from gardien.domain import Score, utcnow
from gardien.pipeline.default import default_pipeline
from gardien.pipeline.record import StageContext, TriageRecord
from gardien.pipeline.runner import InProcessRunner, Pipeline
from gardien.store.db import Database
from tests import factories

PRODUCTS = ["Rhône E7", "Rhône E5", "Urbaine 3", "Cargo Croix-Rousse"]


class RecordedSignals:
    """Sets the scores a test recorded in the post (`extra.scores`), standing in for classifiers."""

    name = "recorded_signals"
    needs: frozenset[str] = frozenset()
    sets = frozenset({"score.complaint", "score.sentiment.negative", "score.intent.question"})

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        for record in batch:
            for name, value in dict(record.post.extra.get("scores", {})).items():
                record.signals.scores[name] = Score(float(value), "recorded")


@pytest.fixture
def care_runtime(runtime: Runtime) -> Runtime:
    """The test runtime whose pipeline reads recorded scores, with the velo care catalogue."""
    stages = list(default_pipeline().stages)
    runner = InProcessRunner(Pipeline([*stages[:2], RecordedSignals(), *stages[2:]]))
    with runtime.database.session() as session:
        care_setup.do_set_care_settings(
            session, "velo", utcnow(), actor="test", products=PRODUCTS, brand="Vélo Rouge"
        )
    return Runtime(runtime.settings, runtime.database, runner)


def complaint(
    external_id: str,
    text: str,
    at: datetime,
    author: str = "alice",
    followers: int = 100,
    score: float = 0.9,
    care: bool = True,
    **fields: Any,
) -> dict[str, Any]:
    """A complaint in the interchange format, with its recorded scores; `care=False` makes it a
    merely negative post (the policy sends it nowhere, but it counts towards spikes)."""
    scores = {"sentiment.negative": score, **({"complaint": score} if care else {})}
    return factories.post(
        external_id,
        text,
        {"id": author, "handle": f"@{author}", "name": author.title(), "followers": followers},
        created_at=at.isoformat(),
        scores=scores,
        **fields,
    )


def feed(runtime: Runtime, records: list[dict[str, Any]], source: str = "test") -> int:
    """Import `records` on the forum channel and triage them; how many were judged."""
    lines = [json.dumps(record).encode() for record in records]
    parsed = (parse_json_line(line, n, runtime.limits) for n, line in enumerate(lines, 1))
    return ingest_and_triage(runtime, "forum", source, parsed).triaged


def post_id(database: Database, external_id: str) -> int:
    from sqlalchemy import select

    from gardien.store.tables import PostRow

    with database.session() as session:
        found = session.scalar(select(PostRow.id).where(PostRow.external_id == external_id))
    assert found is not None
    return found
