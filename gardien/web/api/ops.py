"""Operations endpoints for orchestrators and Prometheus: /healthz (the process answers),
/readyz (its dependencies answer), /metrics. They are listed in PUBLIC_ROUTES because probes and
scrapers have no user account; /metrics asks for `Authorization: Bearer <GARDIEN_METRICS_TOKEN>`
when that setting is set (do set it when the port is reachable from outside).

`install` also adds the request log: every request gets an id (X-Request-ID, kept from the
caller when it sends one), logged with its method, path, status and duration."""

from __future__ import annotations

import hmac
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from gardien.app.runtime import Runtime
from gardien.ops import health
from gardien.ops.logs import log_context
from gardien.ops.metrics import metrics, scrape
from gardien.web.access import NotSignedInError
from gardien.web.deps import runtime

router = APIRouter(tags=["operations"])
log = logging.getLogger("gardien.http")
REQUEST_ID = "X-Request-ID"


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    ready: bool
    checks: dict[str, str]
    seconds: dict[str, float]


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """Alive: the process answers requests (restart it if this fails)."""
    return Health(status="ok")


@router.get("/readyz", response_model=Ready, responses={503: {"model": Ready}})
def readyz(rt: Annotated[Runtime, Depends(runtime)]) -> JSONResponse:
    """Ready for traffic: the database answers; in broker mode, RabbitMQ and Redis too."""
    result = health.run_checks(checks(rt))
    body = Ready(ready=result.ready, checks=result.checks, seconds=result.seconds)
    return JSONResponse(body.model_dump(), status_code=200 if result.ready else 503)


def checks(rt: Runtime) -> list[health.Check]:
    found = [health.database_check(rt.database)]
    if rt.settings.triage_mode == "broker":
        from gardien.workers.broker import ping
        from gardien.workers.dispatch import BrokerRunner

        settings = rt.settings
        found.append(("broker", lambda: ping(settings)))
        if isinstance(rt.runner, BrokerRunner) and rt.runner.marks.client is not None:
            client = rt.runner.marks.client

            def redis_check() -> None:
                client.ping()

            found.append(("redis", redis_check))
    return found


@router.get("/metrics", response_class=Response)
def metrics_endpoint(request: Request, rt: Annotated[Runtime, Depends(runtime)]) -> Response:
    """Prometheus text format: this process's instruments and the store's totals."""
    token = rt.settings.metrics_token.get_secret_value()
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            # Answered here, not raised: a scraper must get a 401, never the sign-in redirect.
            error = NotSignedInError("/metrics needs the metrics token: Authorization: Bearer …")
            return JSONResponse(
                {"error": {"code": error.code, "message": str(error), "detail": None}},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
    depths: Callable[[], dict[str, int]] | None = None
    if rt.settings.triage_mode == "broker":
        from gardien.workers.broker import queue_depths

        settings = rt.settings

        def depths() -> dict[str, int]:
            return queue_depths(settings)

    return Response(scrape(rt.database, depths), media_type="text/plain; version=0.0.4")


def install(app: FastAPI) -> None:
    """Add the operations routes and the request log (with its request id) to the app."""
    app.include_router(router)

    @app.middleware("http")
    async def request_log(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request_id = request.headers.get(REQUEST_ID) or uuid.uuid4().hex
        started = time.perf_counter()
        with log_context(request_id=request_id):
            try:
                response = await call_next(request)
            except Exception:
                metrics().errors.labels("http").inc()
                log.exception("request failed", extra={"path": request.url.path})
                raise
            seconds = time.perf_counter() - started
            meter = metrics()
            meter.http_requests.labels(request.method, str(response.status_code)).inc()
            meter.http_seconds.observe(seconds)
            if response.status_code >= 500:
                meter.errors.labels("http").inc()
            log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.url.path,
                    "status": response.status_code,
                    "ms": round(seconds * 1000, 1),
                },
            )
        response.headers[REQUEST_ID] = request_id
        return response
