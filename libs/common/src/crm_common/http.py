"""The HTTP face every service shares: a health check and Prometheus metrics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from starlette.responses import Response

from crm_common import metrics as _event_metrics  # noqa: F401 - registers the event counters
from crm_common.runtime import ServiceRuntime

Check = Callable[[], Awaitable[None]]


class CheckResult(BaseModel):
    ok: bool
    error: str | None = None


class Health(BaseModel):
    status: str
    service: str
    version: str
    checks: dict[str, CheckResult]


async def run_checks(checks: Mapping[str, Check], limit: float = 3.0) -> dict[str, CheckResult]:
    async def one(check: Check) -> CheckResult:
        try:
            await asyncio.wait_for(check(), limit)
        except Exception as exc:  # a health check reports every failure, whatever it is
            return CheckResult(ok=False, error=str(exc) or type(exc).__name__)
        return CheckResult(ok=True)

    results = await asyncio.gather(*(one(c) for c in checks.values()))
    return dict(zip(checks.keys(), results, strict=True))


def runtime_checks(runtime: ServiceRuntime) -> dict[str, Check]:
    checks: dict[str, Check] = {}
    if runtime.db is not None:
        checks["database"] = runtime.check_database
    checks["bus"] = runtime.check_bus
    return checks


def health_router(
    *,
    service: str,
    version: str,
    checks: Mapping[str, Check],
    path: str = "/health",
    dependencies: Sequence[Any] = (),
) -> APIRouter:
    """`GET path`: 200 when every check passes, else 503; each check's result in the body."""
    router = APIRouter(dependencies=list(dependencies))

    @router.get(
        path,
        response_model=Health,
        responses={503: {"model": Health, "description": "A dependency is unreachable"}},
        tags=["health"],
        summary="Whether the service, its database and the bus are reachable",
    )
    async def health() -> Any:
        results = await run_checks(checks)
        ok = all(r.ok for r in results.values())
        body = Health(
            status="ok" if ok else "degraded", service=service, version=version, checks=results
        )
        return JSONResponse(body.model_dump(), status_code=200 if ok else 503)

    return router


def metrics_router(path: str = "/metrics", dependencies: Sequence[Any] = ()) -> APIRouter:
    """Prometheus metrics: counters only, nothing about any record.

    Every service serves the event counters (`crm_common.metrics`), zero until it uses the bus.
    """
    router = APIRouter(dependencies=list(dependencies))

    @router.get(path, include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def lifespan_for(runtime: ServiceRuntime) -> Callable[[FastAPI], Any]:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    return lifespan


def health_app(runtime: ServiceRuntime, *, version: str, title: str) -> FastAPI:
    """The whole HTTP app of a service that serves only `/health` and `/metrics`."""
    app = FastAPI(title=title, version=version, lifespan=lifespan_for(runtime))
    app.include_router(
        health_router(
            service=runtime.settings.service_name, version=version, checks=runtime_checks(runtime)
        )
    )
    app.include_router(metrics_router())
    app.state.runtime = runtime
    return app
