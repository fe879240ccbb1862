"""Sign in and out, and the user's own settings (language). The sign-in form is CSRF-protected
and rate-limited per username and per client address."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from gardien.actions import accounts
from gardien.app.runtime import Runtime
from gardien.domain import utcnow
from gardien.web.access import Principal, require
from gardien.web.auth.csrf import csrf_token
from gardien.web.auth.ratelimit import AttemptLimiter
from gardien.web.console.render import render
from gardien.web.deps import runtime

router = APIRouter(include_in_schema=False)
USER_LIMIT = AttemptLimiter(per_key=5, window=300)
ADDRESS_LIMIT = AttemptLimiter(per_key=30, window=300)


def limiters(request: Request) -> tuple[AttemptLimiter, AttemptLimiter]:
    """The app's limiters (one pair per app, so tests do not share counts)."""
    state = request.app.state
    if not hasattr(state, "login_limiters"):
        state.login_limiters = (
            AttemptLimiter(USER_LIMIT.per_key, USER_LIMIT.window),
            AttemptLimiter(ADDRESS_LIMIT.per_key, ADDRESS_LIMIT.window),
        )
    pair: tuple[AttemptLimiter, AttemptLimiter] = state.login_limiters
    return pair


def safe_next(target: str) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/console") -> HTMLResponse:
    return render(request, "login.html", {"next": safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    rt: Annotated[Runtime, Depends(runtime)],
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf: Annotated[str, Form(alias="csrf_token", max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/console",
) -> Response:
    """Check the password; on success start a fresh session (new CSRF token) and go on."""
    target = safe_next(next)
    if not hmac.compare_digest(csrf_token(request), csrf):
        return render(
            request,
            "login.html",
            {"next": target, "error": "expired", "username": username},
            status_code=403,
        )
    by_user, by_address = limiters(request)
    user_key = f"user:{username.strip().lower()}"
    address_key = f"ip:{request.client.host if request.client else '?'}"
    wait = max(by_user.retry_after(user_key), by_address.retry_after(address_key))
    if wait:
        response = render(
            request,
            "login.html",
            {"next": target, "error": "throttled", "wait": wait, "username": username},
            status_code=429,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    user_id = await run_in_threadpool(_sign_in, rt, username, password)
    if user_id is None:
        by_user.failed(user_key)
        by_address.failed(address_key)
        return render(
            request,
            "login.html",
            {"next": target, "error": "wrong", "username": username},
            status_code=401,
        )
    by_user.succeeded(user_key)
    request.session.clear()
    request.session.update({"uid": user_id, "csrf": secrets.token_urlsafe(32)})
    return RedirectResponse(target, status_code=303)


def _sign_in(rt: Runtime, username: str, password: str) -> int | None:
    with rt.database.session() as session:
        return accounts.do_sign_in(session, username, password, now=utcnow())


@router.post("/logout")
def logout(request: Request, _: Annotated[Principal, Depends(require())]) -> RedirectResponse:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/account/locale")
def set_locale(
    request: Request,
    rt: Annotated[Runtime, Depends(runtime)],
    principal: Annotated[Principal, Depends(require())],
    locale: Annotated[str, Form(pattern="^(en|fr)$")],
    next: Annotated[str, Form(max_length=2000)] = "/console",
) -> RedirectResponse:
    """Switch the interface language of the signed-in user (kept on their account)."""
    with rt.database.session() as session:
        accounts.do_set_locale(
            session, principal.username, locale, actor=f"user:{principal.username}", now=utcnow()
        )
    return RedirectResponse(safe_next(next), status_code=303)
