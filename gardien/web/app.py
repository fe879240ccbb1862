"""The web application: API under /api/v1 (OpenAPI at /docs) and the console, on one Runtime."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from gardien import __version__
from gardien.app.runtime import Runtime
from gardien.web import errors
from gardien.web.api import animation as animation_api
from gardien.web.api import applications, ingest, members, moderation, posts, queues
from gardien.web.api import audit as audit_api
from gardien.web.api import care as care_api
from gardien.web.api import care_setup as care_setup_api
from gardien.web.api import channels as channel_api
from gardien.web.api import insights as insights_api
from gardien.web.api import ops as ops_api
from gardien.web.api import policies as policy_api
from gardien.web.api import reports as reports_api
from gardien.web.auth import routes as auth_routes
from gardien.web.auth import session as auth_session
from gardien.web.console import (
    animation_pages,
    audit,
    care_pages,
    gatekeeping_pages,
    insights_pages,
    live,
    members_pages,
    overview,
    pages,
    policy_pages,
    queue,
    queue_forms,
    users,
)
from gardien.web.console import channels as channel_pages


def create_app(runtime: Runtime) -> FastAPI:
    """Build the app around an already started Runtime (nothing is read from the environment here)."""
    app = FastAPI(
        title="Gardien",
        version=__version__,
        description="Community keeper API: posts, queues, ingest. Errors share one shape: "
        '`{"error": {"code", "message", "detail"}}`.',
    )
    app.state.runtime = runtime
    errors.install(app)
    ops_api.install(app)  # /healthz, /readyz, /metrics and the request log
    auth_session.install(app, runtime)
    for router in (posts.router, queues.router, ingest.router, pages.router, auth_routes.router):
        app.include_router(router)
    for router in (overview.router, overview.api, queue.router, queue_forms.router, live.router):
        app.include_router(router)
    for router in (audit.router, audit_api.router):
        app.include_router(router)
    for router in (users.router, users.api):
        app.include_router(router)
    for router in (moderation.router, members.router, applications.router, members_pages.router):
        app.include_router(router)
    app.include_router(reports_api.router)
    app.include_router(gatekeeping_pages.router)
    app.include_router(policy_api.router)
    app.include_router(policy_pages.router)
    app.include_router(channel_api.router)
    app.include_router(channel_pages.router)
    for router in (insights_api.router, animation_api.router):
        app.include_router(router)
    for router in (insights_pages.router, animation_pages.router):
        app.include_router(router)
    for router in (care_api.router, care_setup_api.router, care_pages.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    return app
