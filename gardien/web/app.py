"""The web application: API under /api/v1 (OpenAPI at /docs) and the console, on one Runtime."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from gardien import __version__
from gardien.app.runtime import Runtime
from gardien.web import errors
from gardien.web.api import ingest, posts, queues
from gardien.web.console import pages


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
    for router in (posts.router, queues.router, ingest.router, pages.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    return app
