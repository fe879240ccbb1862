"""The care tests' world: the community 'velo' with recorded signals instead of classifiers, so
every score in a test is one the test wrote (scores travel in each record's `scores` field)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gardien.actions import care_setup
from gardien.app.ingest import ingest_and_triage
from gardien.app.runtime import Runtime
from gardien.channels.parse import parse_json_line
from gardien.domain import Score, utcnow
from gardien.pipeline.default import default_pipeline
from gardien.pipeline.record import StageContext, TriageRecord
from gardien.pipeline.runner import InProcessRunner, Pipeline
from gardien.store.care_cases import NEGATIVE_SCORES
from gardien.store.db import Database
from gardien.web.app import create_app
from tests import factories

PRODUCTS = ["Rhône E7", "Rhône E5", "Urbaine 3", "Cargo Croix-Rousse"]


class RecordedSignals:
    """Sets the scores a test recorded in the post (`extra.scores`) over the classifiers' own,
    just before the policy decides."""

    name = "recorded_signals"
    needs: frozenset[str] = frozenset()
    sets: frozenset[str] = frozenset()

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        for record in batch:
            recorded = dict(record.post.extra.get("scores", {}))
            for name in (*NEGATIVE_SCORES, "offensive"):  # unrecorded: not negative, not rude
                record.signals.scores[name] = Score(0.0, "recorded")
            for name, value in recorded.items():
                record.signals.scores[name] = Score(float(value), "recorded")


@pytest.fixture
def care_runtime(runtime: Runtime) -> Runtime:
    """The test runtime whose pipeline reads recorded scores, with the velo care catalogue."""
    stages = list(default_pipeline().stages)
    at = next(i for i, stage in enumerate(stages) if stage.name == "decide")
    runner = InProcessRunner(Pipeline([*stages[:at], RecordedSignals(), *stages[at:]]))
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


PASSWORD = "correct horse battery"
#: The care cast: username -> (role, department) in the community 'velo'.
CARE_CAST = {
    "camille": ("community_manager", None),
    "cara": ("care_agent", None),
    "colin": ("care_agent", None),
    "tess": ("department", "technical"),
    "mo": ("moderator", None),
}


@pytest.fixture
def tokens(care_runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """API tokens of the care cast (cheap password hashing: the tests need the path, not the cost)."""
    from argon2 import PasswordHasher

    from gardien.actions import accounts

    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    found = {}
    with care_runtime.database.session() as session:
        now = utcnow()
        for name, (role, department) in CARE_CAST.items():
            accounts.do_create_user(session, name, PASSWORD, actor="test", now=now)
            accounts.do_grant_role(
                session, name, "velo", role, actor="test", now=now, department=department
            )
            found[name] = accounts.do_issue_token(session, name, "tests", actor="test", now=now)
    return found


@pytest.fixture
def client(care_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(care_runtime)) as test_client:
        yield test_client


def as_(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
