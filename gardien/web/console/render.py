"""Rendering console pages: one Jinja environment (autoescaped, with gettext), and the context
every page gets — the principal, its CSRF token, its language, the communities it works in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from gardien.web import i18n
from gardien.web.access import Principal
from gardien.web.auth.csrf import csrf_token
from gardien.web.console import flash
from gardien.web.console.highlight import highlight, spans_of

TEMPLATE_DIR = Path(__file__).parent.parent / "templates"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
    )
    english = i18n.translator(i18n.DEFAULT)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        english.gettext, english.ngettext, newstyle=True
    )
    env.globals.update(highlight=highlight, spans_of=spans_of)
    return env


TEMPLATES = Jinja2Templates(env=_environment())


def locale_of(request: Request, principal: Principal | None) -> str:
    """The user's chosen language; before signing in, the browser's."""
    if principal is not None:
        return principal.locale if principal.locale in i18n.LOCALES else i18n.DEFAULT
    return i18n.negotiate(request.headers.get("accept-language", ""))


def N_(message: str) -> str:
    """gettext's marker: Babel extracts the word where it is named; it is translated where it
    is shown (`_(status)` in a template)."""
    return message


def gettext_for(request: Request, principal: Principal | None) -> Callable[..., str]:
    """The user's `_` in Python code (messages for flash and errors shown in their language)."""
    return i18n.translator(locale_of(request, principal)).gettext


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    principal: Principal | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The page `template` with `context` and the furniture every page needs."""
    locale = locale_of(request, principal)
    translator = i18n.translator(locale)
    whole_page = not Path(template).name.startswith("_")  # fragments leave messages waiting
    full = {
        "flashes": flash.take(request) if whole_page else [],
        **translator.functions(),
        "locale": locale,
        "principal": principal,
        "csrf_token": csrf_token(request),
        "nav_communities": sorted(principal.communities()) if principal else [],
        **context,
    }
    return TEMPLATES.TemplateResponse(request, template, full, status_code=status_code)
