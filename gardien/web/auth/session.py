"""Who is calling: an `Authorization: Bearer` token or a signed session cookie, turned into a
Principal with the user's roles per community."""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import FastAPI, Request
from starlette.middleware.sessions import SessionMiddleware

from gardien.actions import accounts
from gardien.app.runtime import Runtime
from gardien.domain import utcnow
from gardien.web import access
from gardien.web.access import Principal, Role

COOKIE = "gardien_session"


def principal_of(account: accounts.Account, known: frozenset[str], via_token: bool) -> Principal:
    roles: dict[str, set[Role]] = {}
    departments: dict[str, set[str]] = {}
    for grant in account.grants:
        roles.setdefault(grant.community, set()).add(Role(grant.role))
        if grant.department:
            departments.setdefault(grant.community, set()).add(grant.department)
    return Principal(
        user_id=account.id,
        username=account.username,
        locale=account.locale,
        roles={slug: frozenset(held) for slug, held in roles.items()},
        is_admin=account.is_admin,
        known_communities=known if account.is_admin else frozenset(),
        departments={slug: frozenset(names) for slug, names in departments.items()},
        via_token=via_token,
    )


def load_principal(runtime: Runtime, request: Request) -> Principal | None:
    """The principal behind the request's bearer token, else behind its session, else None."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    user_id = request.session.get("uid") if "session" in request.scope else None
    if not token and not isinstance(user_id, int):
        return None
    with runtime.database.session() as session:
        now = utcnow()
        if token:
            user_id = accounts.user_for_token(session, token, now)
        if not isinstance(user_id, int):
            return None
        account = accounts.account(session, user_id)
        if account is None:
            return None
        known = accounts.community_slugs(session) if account.is_admin else frozenset()
    return principal_of(account, known, via_token=bool(token))


def session_secret(runtime: Runtime) -> str:
    """The configured secret, else one generated once and kept (mode 0600) in the data dir."""
    configured = runtime.settings.session_secret.get_secret_value()
    if configured:
        return configured
    path = Path(runtime.settings.data_dir) / "session-secret"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(secret)
    return secret


def install(app: FastAPI, runtime: Runtime) -> None:
    """Sessions in signed cookies (HttpOnly, SameSite=Lax) and the principal loader."""
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(runtime),
        session_cookie=COOKIE,
        max_age=runtime.settings.session_max_age_seconds,
        same_site="lax",
        https_only=runtime.settings.session_https_only,
    )
    access.install(app, lambda request: load_principal(runtime, request))
