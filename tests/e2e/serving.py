"""A test's own console server: a fresh runtime on SQLite, seeded by the test module, served by
Uvicorn on a free port of 127.0.0.1 in a thread (for pages that need a cast of their own)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from argon2 import PasswordHasher

from gardien.actions import accounts
from gardien.app.runtime import Runtime
from gardien.domain import Score
from gardien.pipeline.default import default_pipeline
from gardien.pipeline.record import StageContext, TriageRecord
from gardien.pipeline.runner import InProcessRunner, Pipeline
from gardien.settings import Settings
from gardien.store import migrate
from gardien.web.app import create_app
from tests.e2e.conftest import free_port


class RecordedScores:
    """The complaint and sentiment scores a test wrote in the post (`scores`), instead of the
    classifiers' (so a page's content does not depend on a model's mood)."""

    name = "recorded_scores"
    needs: frozenset[str] = frozenset()
    sets: frozenset[str] = frozenset()

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        for record in batch:
            for name in ("complaint", "sentiment.negative"):
                record.signals.scores[name] = Score(0.0, "recorded")
            for name, value in dict(record.post.extra.get("scores", {})).items():
                record.signals.scores[name] = Score(float(value), "recorded")


def _pipeline() -> Pipeline:
    stages = [s for s in default_pipeline().stages if s.name not in ("complaint", "sentiment")]
    at = next(i for i, stage in enumerate(stages) if stage.name == "decide")
    return Pipeline([*stages[:at], RecordedScores(), *stages[at:]])


@contextmanager
def serve(data: Path, seed: Callable[[Runtime], None]) -> Iterator[tuple[str, Runtime]]:
    """The base URL of a server over a runtime that `seed` filled, and that runtime."""
    patch = pytest.MonkeyPatch()  # cheap hashing, as in tests/web (same code path)
    patch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    settings = Settings(data_dir=data, session_secret="e2e-secret")
    started = Runtime.start(settings)
    runtime = Runtime(settings, started.database, InProcessRunner(_pipeline()))
    migrate.upgrade(runtime.database)
    seed(runtime)
    port = free_port()
    config = uvicorn.Config(
        create_app(runtime), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    try:
        yield f"http://127.0.0.1:{port}", runtime
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        runtime.database.dispose()
        patch.undo()
