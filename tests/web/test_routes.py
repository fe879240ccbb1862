"""Every route of the app refuses callers without the right role. The routes are enumerated
from the app itself, so a route added later without a `require(...)` check fails here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import fastapi.routing
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

from gardien.app.runtime import Runtime
from gardien.web.access import PUBLIC_ROUTES, Role, roles_of_dependency
from gardien.web.app import create_app
from tests.web.conftest import bearer, csrf_of, sign_in

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
#: One user per role, all in the community 'velo' (their tokens come from the `cast` fixture).
HOLDER = {
    Role.community_manager: "camille",
    Role.moderator: "mo",
    Role.care_agent: "cara",
    Role.department: "dee",
    Role.marketing_lead: "mara",
}


def flat_routes(app: FastAPI) -> list[Any]:
    """Every route of the app, included routers flattened (FastAPI >= 0.16x includes lazily)."""
    flatten = getattr(fastapi.routing, "iter_route_contexts", None)
    return list(flatten(app.routes)) if flatten else list(app.routes)


def endpoints(app: FastAPI) -> Iterator[tuple[str, str, Any]]:
    """(method, path, route) for every route and mount of the app; an unknown kind of route
    fails the test rather than being skipped."""
    for route in flat_routes(app):
        if isinstance(getattr(route, "original_route", route), Mount):
            yield "GET", route.path, route
        elif getattr(route, "methods", None):
            for method in sorted(set(route.methods) - {"HEAD"}):
                yield method, route.path, route
        else:
            raise AssertionError(f"a route this test does not know how to check: {route!r}")


def is_api_route(route: Any) -> bool:
    return isinstance(getattr(route, "original_route", route), APIRoute)


def admitted(dependant: Dependant) -> frozenset[Role] | bool | None:
    """The roles the route's `require` admits (None: any signed-in user; False: no check)."""
    for sub in dependant.dependencies:
        found = roles_of_dependency(sub.call)
        if found is not False:
            return found
        deeper = admitted(sub)
        if deeper is not False:
            return deeper
    return False


def url_of(route: Any) -> str:
    """The route's path with sample values: integers for integer parameters, 'velo' otherwise."""
    path: str = route.path
    kinds: dict[str, Any] = {}
    if is_api_route(route):
        kinds = {p.name: p.field_info.annotation for p in route.dependant.path_params}
    return re.sub(
        r"{(\w+)(:\w+)?}",
        lambda m: "1" if kinds.get(m.group(1)) is int else "velo",
        path,
    )


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:
    return create_app(runtime)


def test_every_route_is_public_on_purpose_or_checks_a_role(app: FastAPI) -> None:
    unchecked = [
        f"{method} {path}"
        for method, path, route in endpoints(app)
        if path not in PUBLIC_ROUTES
        and (not is_api_route(route) or admitted(route.dependant) is False)
    ]
    assert unchecked == [], "add Depends(require(...)) or list the path in PUBLIC_ROUTES"


def test_public_routes_all_exist(app: FastAPI) -> None:
    assert {path for _, path, _ in endpoints(app)} >= PUBLIC_ROUTES


def test_every_checked_route_refuses_anonymous_and_wrong_roles(
    app: FastAPI, cast: dict[str, str]
) -> None:
    checked = 0
    with TestClient(app) as client:
        for method, path, route in endpoints(app):
            if path in PUBLIC_ROUTES or not is_api_route(route):
                continue
            url, roles = url_of(route), admitted(route.dependant)
            where = f"{method} {path}"
            anonymous = client.request(method, url, headers={"Accept": "application/json"})
            assert anonymous.status_code == 401, where
            assert anonymous.json()["error"]["code"] == "unauthenticated", where
            if roles is None:  # any signed-in user may (sign out, choose a language)
                continue
            assert isinstance(roles, frozenset)
            outsiders = ["nobody"] + [name for role, name in HOLDER.items() if role not in roles]
            for name in outsiders:
                answer = client.request(method, url, headers=bearer(cast[name]))
                assert answer.status_code == 403, f"{where} as {name}: {answer.status_code}"
                assert answer.json()["error"]["code"] == "forbidden", where
            checked += 1
    assert checked >= 5


def test_forms_posted_from_a_session_need_the_csrf_token(
    app: FastAPI, cast: dict[str, str]
) -> None:
    with TestClient(app) as client:
        sign_in(client, "ada")
        for method, path, route in endpoints(app):
            if method not in UNSAFE or path in PUBLIC_ROUTES or not is_api_route(route):
                continue
            answer = client.request(method, url_of(route), data={"csrf_token": "forged"})
            assert answer.status_code == 403, f"{method} {path}"
        token = csrf_of(client)
        answer = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 303
