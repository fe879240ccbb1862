"""The file channel: import a JSONL or CSV file (optionally gzipped) in constant memory.

Posts are written in batches, each batch in its own transaction, so an interrupted import keeps
what it wrote and a re-run completes it without duplicates (ingest is idempotent)."""

from __future__ import annotations

import gc
import gzip
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from gardien.channels.format import IncomingPost
from gardien.channels.parse import Limits, Parsed, iter_csv, iter_jsonl
from gardien.domain.time import utcnow
from gardien.errors import IngestError
from gardien.store.communities import find_channel
from gardien.store.db import Database
from gardien.store.ingest import IngestCounts, write_posts, write_rejects

#: Called after each batch with (lines read, bytes of the file read so far).
Progress = Callable[[int, int], None]


@dataclass(slots=True)
class ImportReport:
    """What an import did, line by line accounted for."""

    source: str
    lines: int = 0
    counts: IngestCounts = field(default_factory=IngestCounts)
    rejects: list[tuple[int, str]] = field(default_factory=list)


def detect_format(path: Path) -> str:
    """'jsonl' or 'csv' from the file name (a trailing .gz is looked through)."""
    suffixes = [suffix.lower() for suffix in path.suffixes if suffix.lower() != ".gz"]
    kind = suffixes[-1] if suffixes else ""
    if kind in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    if kind == ".csv":
        return "csv"
    raise IngestError(f"cannot tell the format of {path.name}: name it .jsonl or .csv")


@contextmanager
def open_binary(path: Path) -> Iterator[tuple[BinaryIO, BinaryIO]]:
    """Open a file for reading bytes (through gzip when it ends in .gz); also yield the raw file,
    whose position tells how much of it has been read."""
    with path.open("rb") as raw:
        if path.suffix.lower() == ".gz":
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                yield stream, raw  # type: ignore[misc]
        else:
            yield raw, raw


def ingest_stream(
    database: Database,
    channel: str,
    source: str,
    parsed: Iterator[Parsed],
    batch_size: int = 2_000,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Write parsed lines to the store batch by batch; bad lines go to the rejects table."""
    report = ImportReport(source=source)
    with database.session() as session:
        find_channel(session, channel)  # fail before reading anything if the channel is unknown
    posts: list[IncomingPost] = []
    rejects: list[tuple[int, str, str]] = []

    def flush() -> None:
        received = utcnow()
        with database.session() as session:
            row = find_channel(session, channel)
            if posts:
                report.counts += write_posts(session, row, posts, received)
            report.counts.rejected += write_rejects(session, channel, source, rejects, received)
        report.rejects.extend((line_no, reason) for line_no, reason, _ in rejects)
        posts.clear()
        rejects.clear()

    with young_collections_only():
        for item in parsed:
            report.lines = item.line_no
            if item.post is not None:
                posts.append(item.post)
            else:
                rejects.append((item.line_no, item.error, item.excerpt))
            if len(posts) + len(rejects) >= batch_size:
                flush()
                gc.collect(1)
                if progress is not None:
                    progress(item.line_no)
        flush()
    return report


@contextmanager
def young_collections_only() -> Iterator[None]:
    """Pause the automatic garbage collector during a bulk import (the caller collects the young
    generations after each batch): full collections over a large heap cost a quarter of the
    import time, and a batch's records are freed by reference counting anyway."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_file(
    database: Database,
    path: Path,
    channel: str,
    limits: Limits,
    batch_size: int = 2_000,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one file into `channel`; the source recorded for rejects is the file's full path."""
    kind = detect_format(path)
    source = str(path.resolve())
    with open_binary(path) as (stream, raw):
        lines = iter_jsonl(stream, limits) if kind == "jsonl" else iter_csv(stream, limits)
        tick = None if progress is None else (lambda line: progress(line, raw.tell()))
        return ingest_stream(database, channel, source, lines, batch_size, tick)
