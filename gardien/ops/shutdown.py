"""Graceful shutdown: SIGTERM and SIGINT ask the loop to stop after the work in hand, instead of
killing it mid-transaction; a second signal is not needed (and not special)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class Stopping:
    """A flag that the signal handlers raise; loops check it and sleep on it."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.signal: int | None = None

    def request(self, signum: int | None = None) -> None:
        self.signal = signum
        self._event.set()

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True when asked to stop meanwhile."""
        return self._event.wait(seconds)


@contextmanager
def graceful(signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGINT)) -> Iterator[Stopping]:
    """Within the block, the signals raise the flag; on leaving, the previous handlers return."""
    stopping = Stopping()

    def handler(signum: int, _frame: FrameType | None) -> None:
        stopping.request(signum)

    previous = {signum: signal.signal(signum, handler) for signum in signals}
    try:
        yield stopping
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
