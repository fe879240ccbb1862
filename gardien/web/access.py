"""Who may do what: roles per community, the signed-in Principal, and the checks routes depend on.

Every route depends on `require(*roles)` or is listed in PUBLIC_ROUTES; a test walks all routes
of the app to hold that. Protected objects are reached through `access_community`, which answers
"not found" both when the thing is missing and when the caller may not see it (Zulip style)."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from gardien.errors import GardienError, NotFoundError


class Role(StrEnum):
    """What a person does in a community. Admin is global; the others are held per community."""

    admin = "admin"
    community_manager = "community_manager"
    moderator = "moderator"
    care_agent = "care_agent"
    department = "department"
    marketing_lead = "marketing_lead"


#: A community manager "sees everything of their communities": holding it admits these too.
IMPLIED: Mapping[Role, frozenset[Role]] = {
    Role.community_manager: frozenset(
        {Role.community_manager, Role.moderator, Role.care_agent, Role.marketing_lead}
    ),
}

#: Paths answered without signing in. Ingest is authenticated by its HMAC signature instead.
PUBLIC_ROUTES: frozenset[str] = frozenset(
    {
        "/",
        "/login",
        "/static",
        "/openapi.json",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
        "/api/v1/ingest/{channel}",
        # A channel bridge relays its users' reports, signed like ingest (web/api/reports.py).
        "/api/v1/ingest/{channel}/reports",
        # Applicants and sanctioned members have no account: the application form, and the
        # appeal by the token of a notice (gardien/web/api/applications.py, members.py).
        "/api/v1/join/{community}",
        "/api/v1/appeals",
        "/join/{community}",
        "/appeal/{token}",
        # Platform webhooks (Discourse's own signature, or a bridge's Gardien signature).
        "/api/v1/channels/{name}/events",
        # Probes and Prometheus (gardien/web/api/ops.py); /metrics asks for GARDIEN_METRICS_TOKEN
        # as a bearer token when it is set.
        "/healthz",
        "/readyz",
        "/metrics",
    }
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class NotSignedInError(GardienError):
    """No valid session or token came with the request."""

    code = "unauthenticated"


class ForbiddenError(GardienError):
    """Signed in, but without any role the route needs (or a form without its CSRF token)."""

    code = "forbidden"


def admitted_roles(roles: Iterable[Role]) -> frozenset[Role]:
    """Every role that passes a check for `roles` (admin always; a manager for what it implies)."""
    wanted = set(roles)
    held = {Role.admin, *wanted}
    for role, implied in IMPLIED.items():
        if wanted & implied:
            held.add(role)
    return frozenset(held)


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in user as the checks see them: roles per community slug, or admin everywhere."""

    user_id: int
    username: str
    locale: str = "en"
    roles: Mapping[str, frozenset[Role]] = field(default_factory=dict)
    is_admin: bool = False
    #: Every community that exists, so that an admin's `communities()` can list them.
    known_communities: frozenset[str] = frozenset()
    departments: Mapping[str, frozenset[str]] = field(default_factory=dict)
    via_token: bool = False

    def has(self, role: Role, community: str) -> bool:
        """Whether this user acts as `role` in `community` (admins act as anything anywhere)."""
        if self.is_admin:
            return True
        held = self.roles.get(community, frozenset())
        return role in held or any(role in IMPLIED.get(each, ()) for each in held)

    def has_any(self, roles: Iterable[Role], community: str) -> bool:
        wanted = list(roles) or list(Role)
        return any(self.has(role, community) for role in wanted)

    def communities(self, *roles: Role) -> frozenset[str]:
        """Slugs of the communities where the user holds any of `roles` (any role if none given)."""
        if self.is_admin:
            return self.known_communities | frozenset(self.roles)
        return frozenset(slug for slug in self.roles if self.has_any(roles, slug))

    def holds_anywhere(self, roles: Iterable[Role]) -> bool:
        wanted = list(roles)
        if self.is_admin or not wanted:
            return True
        return any(self.has_any(wanted, slug) for slug in self.roles)


def access_community(principal: Principal, slug: str, *roles: Role) -> str:
    """`slug` when the principal holds one of `roles` there (any role if none given);
    otherwise NotFoundError, the same answer as for a community that does not exist."""
    if not principal.has_any(roles, slug):
        raise NotFoundError(f"no community named {slug!r}")
    return slug


#: Set by gardien.web.auth when the app starts: loads the Principal of a request, or None.
PrincipalLoader = Callable[[Request], Principal | None]


def current_principal(request: Request) -> Principal | None:
    """The principal of this request (cached on it), or None when nobody is signed in."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    loader: PrincipalLoader = request.app.state.principal_loader
    principal = loader(request)
    request.state.principal = principal
    return principal


async def check_csrf(request: Request) -> None:
    """Cookie-authenticated unsafe requests must echo the session's CSRF token (form field or
    header); token-authenticated requests carry no ambient credential and need none."""
    if request.method in SAFE_METHODS:
        return
    expected = str(request.session.get("csrf", "")) if "session" in request.scope else ""
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and "form" in request.headers.get("content-type", ""):
        sent = str((await request.form()).get(CSRF_FIELD, ""))
    if not expected or not hmac.compare_digest(expected, sent):
        raise ForbiddenError("the form has expired or did not come from Gardien; reload the page")


def require(*roles: Role) -> Callable[..., Any]:
    """A FastAPI dependency giving the Principal: 401 when not signed in, 403 when the user holds
    none of `roles` in any community (no roles: any signed-in user). Use as
    `principal: Annotated[Principal, Depends(require(Role.moderator))]`."""
    wanted = tuple(Role(role) for role in roles)

    async def dependency(request: Request) -> Principal:
        principal = await run_in_threadpool(current_principal, request)
        if principal is None:
            raise NotSignedInError("sign in first (or send 'Authorization: Bearer <token>')")
        if not principal.via_token:
            await check_csrf(request)
        if not principal.holds_anywhere(wanted):
            needed = ", ".join(role.value for role in wanted)
            raise ForbiddenError(f"this needs one of these roles: {needed}")
        return principal

    dependency.__gardien_roles__ = admitted_roles(wanted) if wanted else None  # type: ignore[attr-defined]
    dependency.__name__ = "require_" + "_or_".join(role.value for role in wanted or (Role.admin,))
    return dependency


def roles_of_dependency(call: Any) -> frozenset[Role] | bool | None:
    """For the route test: the roles a `require` dependency admits (None: any signed-in user),
    or False when `call` is not such a dependency."""
    if not hasattr(call, "__gardien_roles__"):
        return False
    admitted: frozenset[Role] | None = call.__gardien_roles__
    return admitted


def _wants_html(request: Request) -> bool:
    """A console page asked for by a browser (not the API, not a client asking for JSON)."""
    accept = request.headers.get("accept", "")
    return not request.url.path.startswith("/api/") and "application/json" not in accept


def install(app: FastAPI, loader: PrincipalLoader) -> None:
    """Wire the principal loader and answer 401/403 with the shared error body (a browser asking
    for a page is sent to the sign-in page instead)."""
    from gardien.web.errors import error_body

    app.state.principal_loader = loader

    @app.exception_handler(NotSignedInError)
    async def not_signed_in(request: Request, error: NotSignedInError) -> Response:
        if _wants_html(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
        return JSONResponse(
            error_body(error.code, str(error)),
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    @app.exception_handler(ForbiddenError)
    async def forbidden(_: Request, error: ForbiddenError) -> Response:
        return JSONResponse(error_body(error.code, str(error)), status_code=403)
