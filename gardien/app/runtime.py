"""Everything a running Gardien needs, built once from Settings and passed to the edges."""

from __future__ import annotations

from dataclasses import dataclass, field

from gardien.app.policies import compiled_policies
from gardien.app.triage import build_context
from gardien.channels.parse import Limits
from gardien.pipeline.default import default_pipeline
from gardien.pipeline.record import StageContext
from gardien.pipeline.runner import Runner
from gardien.settings import Settings
from gardien.store.db import Database


@dataclass(slots=True)
class Runtime:
    """Settings, the store, the pipeline runner and the stages' context."""

    settings: Settings
    database: Database
    runner: Runner
    _context: StageContext | None = field(default=None)

    @classmethod
    def start(cls, settings: Settings, database: Database | None = None) -> Runtime:
        database = database or Database.from_settings(settings)
        from gardien.workers.runners import make_runner  # in-process unless triage_mode=broker

        runner = make_runner(settings, database, default_pipeline(settings))
        return cls(settings=settings, database=database, runner=runner)

    @property
    def limits(self) -> Limits:
        return Limits(
            max_text_chars=self.settings.max_text_chars, max_line_bytes=self.settings.max_line_bytes
        )

    def context(self) -> StageContext:
        """The stages' context, built on first use; `refresh()` after communities or policies change."""
        if self._context is None:
            self._context = build_context(self.database, compiled_policies, self.settings)
        return self._context

    def refresh(self) -> None:
        self._context = None
