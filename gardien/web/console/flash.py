"""One-time messages carried across a post/redirect/get in the signed session cookie: a form
handler says what it did, the next page shows it once."""

from __future__ import annotations

from typing import Any

from fastapi import Request

KEY = "flash"


def flash(request: Request, text: str, kind: str = "done") -> None:
    """Show `text` on the next page rendered for this browser (`kind`: done or error)."""
    if "session" in request.scope:
        request.session[KEY] = [*request.session.get(KEY, []), {"text": text, "kind": kind}]


def take(request: Request) -> list[dict[str, Any]]:
    """The messages waiting for this browser, removed as they are shown."""
    if "session" not in request.scope or KEY not in request.session:
        return []
    found: list[dict[str, Any]] = request.session.pop(KEY)
    return found
