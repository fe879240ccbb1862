"""An import streams: memory stays flat however large the file (a 1 GB file must fit)."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

from gardien.app.runtime import Runtime
from gardien.channels.file_import import import_file
from tests.factories import post, write_jsonl


def peak_import_memory(runtime: Runtime, path: Path) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        import_file(runtime.database, path, "forum", runtime.limits, batch_size=300)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_ten_times_more_lines_do_not_take_ten_times_more_memory(
    runtime: Runtime, tmp_path: Path
) -> None:
    def file_of(count: int, name: str) -> Path:
        records = [post(f"{name}{i}", f"{name} message {i} " * 5) for i in range(count)]
        return write_jsonl(tmp_path / f"{name}.jsonl", records)

    small, large = file_of(600, "s"), file_of(6_000, "l")
    peak_small = peak_import_memory(runtime, small)
    peak_large = peak_import_memory(runtime, large)
    assert peak_large < 2 * peak_small, (peak_small, peak_large)
