"""Ingest then judge: the webhook's path, where posts are triaged as they arrive."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from gardien.app.runtime import Runtime
from gardien.app.triage import triage_pending
from gardien.channels.file_import import ImportReport, ingest_stream
from gardien.channels.parse import Parsed


@dataclass(slots=True)
class IngestResult:
    report: ImportReport
    triaged: int


def ingest_and_triage(
    rt: Runtime, channel: str, source: str, parsed: Iterator[Parsed]
) -> IngestResult:
    """Store the records, then judge whatever is now untriaged."""
    report = ingest_stream(rt.database, channel, source, parsed)
    judged = triage_pending(rt.database, rt.runner, rt.context(), rt.settings.triage_batch_size)
    return IngestResult(report=report, triaged=judged.judged)
