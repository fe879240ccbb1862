"""CSRF tokens: one random token per session, echoed by every form and by htmx requests."""

from __future__ import annotations

import secrets

from starlette.requests import Request


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (anonymous sessions get one too, so the
    sign-in form is protected as well)."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token
