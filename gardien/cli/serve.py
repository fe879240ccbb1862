"""`gardien serve`: the console and the API on one port."""

from __future__ import annotations

import typer
import uvicorn

from gardien.app.runtime import Runtime
from gardien.cli.common import running
from gardien.web.app import create_app


def run_server(runtime: Runtime) -> None:
    """Serve `runtime` with Uvicorn on the configured host and port until interrupted."""
    app = create_app(runtime)
    uvicorn.run(app, host=runtime.settings.host, port=runtime.settings.port, log_level="info")


def serve_command() -> None:
    """Serve the console and the API (host and port from GARDIEN_HOST and GARDIEN_PORT)."""
    with running() as runtime:
        typer.echo(f"Gardien on http://{runtime.settings.host}:{runtime.settings.port}/")
        run_server(runtime)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
