"""One renderer of RFC 9457 problem details for every error crm-api answers."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from crm_common.errors import PROBLEM_JSON, CRMError, Problem, TooManyRequests

logger = logging.getLogger(__name__)

_HTTP_SLUGS = {404: "not-found", 405: "method-not-allowed", 401: "unauthorized", 403: "forbidden"}


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or str(loc[0] if loc else "body")


async def _crm_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CRMError)
    retry_after = exc.extensions.get("retry_after") if isinstance(exc, TooManyRequests) else None
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    if exc.status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="lp-crm"'}
    return problem_response(exc.to_problem(instance=request.url.path), headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": _field(tuple(error.get("loc", ()))),
            "location": str(error.get("loc", ("body",))[0]),
            "message": error.get("msg", "invalid"),
            "type": error.get("type", "value_error"),
        }
        for error in exc.errors()
    ]
    names = ", ".join(sorted({e["field"] for e in errors}))
    problem = Problem(
        type="urn:lp-crm:problem:validation",
        title="Invalid request",
        status=422,
        detail=f"invalid: {names}",
        instance=request.url.path,
        errors=errors,
    )
    return problem_response(problem)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    problem = Problem(
        type=f"urn:lp-crm:problem:{_HTTP_SLUGS.get(exc.status_code, 'http-error')}",
        title=str(exc.detail) if exc.detail else "Error",
        status=exc.status_code,
        instance=request.url.path,
    )
    return problem_response(problem, dict(exc.headers) if exc.headers else None)


async def _unstorable(request: Request, exc: Exception) -> JSONResponse:
    # The database refused a value pydantic let through (a NUL character on PostgreSQL, say):
    # that is the request's fault, and nothing was written.
    logger.info("refused unstorable value on %s: %s", request.url.path, type(exc).__name__)
    problem = Problem(
        type="urn:lp-crm:problem:validation",
        title="Invalid request",
        status=422,
        detail="a value cannot be stored (control characters, or too long)",
        instance=request.url.path,
    )
    return problem_response(problem)


# What the databases say when a write waited out its lock (SQLite's busy timeout, PostgreSQL's
# lock_timeout): the request did nothing and may simply be sent again.
_BUSY = ("database is locked", "database is busy", "lock timeout", "could not obtain lock")
RETRY_AFTER_BUSY_S = 2


async def _database_busy(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OperationalError)
    if not any(sign in str(exc.orig).lower() for sign in _BUSY):
        return await _unexpected(request, exc)
    logger.warning("database busy on %s %s: %s", request.method, request.url.path, exc.orig)
    problem = Problem(
        type="urn:lp-crm:problem:busy",
        title="The database is busy",
        status=503,
        detail="a long write holds the database; nothing was changed, send the request again",
        instance=request.url.path,
    )
    return problem_response(problem, {"Retry-After": str(RETRY_AFTER_BUSY_S)})


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    problem = Problem(
        type="urn:lp-crm:problem:internal",
        title="Internal error",
        status=500,
        instance=request.url.path,
    )
    return problem_response(problem)


def install(app: FastAPI) -> None:
    app.add_exception_handler(CRMError, _crm_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _unstorable)
    app.add_exception_handler(OperationalError, _database_busy)
    app.add_exception_handler(Exception, _unexpected)
