"""Opaque cursors for keyset pagination."""

from __future__ import annotations

import base64
import json

from gardien.errors import GardienError


class CursorError(GardienError):
    code = "bad_cursor"


def encode(*parts: float | int) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


def decode(cursor: str | None, size: int) -> list[float] | None:
    """The values in `cursor`, or None for the first page; a garbled cursor is a clear error."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        raise CursorError("the cursor is not one this API gave out") from None
    if (
        not isinstance(values, list)
        or len(values) != size
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    ):
        raise CursorError("the cursor is not one this API gave out")
    return [float(v) for v in values]
