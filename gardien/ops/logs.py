"""Structured logs: one JSON object per line, carrying the request id or the message and post ids
of the work being done, so one post can be followed from the webhook to its decision."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

#: Ids describing the work under way in this thread or task (request_id, message_id, post_ids …).
_context: ContextVar[dict[str, Any] | None] = ContextVar("gardien_log_context", default=None)

#: LogRecord attributes that are not the caller's `extra=` fields.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


@contextmanager
def log_context(**ids: Any) -> Iterator[None]:
    """Attach ids to every log line written inside the block (nested blocks add to them)."""
    token = _context.set({**(_context.get() or {}), **ids})
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> dict[str, Any]:
    return dict(_context.get() or {})


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, the context's ids, the caller's extra fields, any error."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **current_context(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(
    json_lines: bool = True, level: int = logging.INFO, stream: TextIO | None = None
) -> None:
    """Send the root logger to `stream` (stderr), as JSON lines or plain text; called by the
    entry points (serve, worker, scheduler), never at import."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "gardien", False):
            root.removeHandler(old)
    handler.gardien = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("pika").setLevel(logging.WARNING)
