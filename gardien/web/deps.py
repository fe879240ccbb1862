"""FastAPI dependencies: reach the Runtime and a database session from a request."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from gardien.app.runtime import Runtime


def runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def session(request: Request) -> Iterator[Session]:
    with runtime(request).database.session() as db_session:
        yield db_session
