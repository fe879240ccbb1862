"""One error body everywhere: {"error": {"code", "message", "detail"}}."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from gardien.errors import (
    ConflictError,
    GardienError,
    IngestError,
    NotFoundError,
    PolicyError,
    SignatureError,
)

STATUS = {
    NotFoundError: 404,
    SignatureError: 401,
    IngestError: 422,
    PolicyError: 422,
    ConflictError: 409,
}


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "detail": detail}}


def install(app: FastAPI) -> None:
    """Register handlers so every failure answers with the same shape."""

    @app.exception_handler(GardienError)
    async def gardien_error(_: Request, error: GardienError) -> JSONResponse:
        status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
        return JSONResponse(error_body(error.code, str(error)), status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        detail = [
            {"loc": list(item.get("loc", ())), "msg": item.get("msg", "")}
            for item in error.errors()
        ]
        return JSONResponse(
            error_body("invalid_request", "the request is not valid", detail), status_code=422
        )

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def out_of_range(_: Request, error: Exception) -> JSONResponse:
        # A number past what the database stores (e.g. an id of 2**63) is the caller's mistake.
        return JSONResponse(
            error_body("invalid_request", "a number in the request is out of range"),
            status_code=422,
        )

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, error: HTTPException) -> JSONResponse:
        code = "not_found" if error.status_code == 404 else f"http_{error.status_code}"
        return JSONResponse(
            error_body(code, str(error.detail)),
            status_code=error.status_code,
            headers=error.headers,
        )
