"""The crm-api application: HTTP routes under /api, and the outbox relay."""

from __future__ import annotations

from fastapi import FastAPI

from crm_api import __version__
from crm_api.settings import Settings
from crm_common.bus.connection import Bus
from crm_common.db import Database
from crm_common.http import health_router, lifespan_for, metrics_router, runtime_checks
from crm_common.outbox import OutboxRelay
from crm_common.runtime import ServiceRuntime


def create_app(settings: Settings) -> FastAPI:
    db = Database(settings.database_url)
    runtime = ServiceRuntime(settings=settings, db=db)

    def relay(bus: Bus) -> OutboxRelay:
        return OutboxRelay(db, bus, poll_interval=settings.outbox_poll_interval)

    runtime.add_worker(relay)
    app = FastAPI(
        title="LP CRM API",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan_for(runtime),
    )
    app.state.runtime = runtime
    app.state.db = db
    app.include_router(
        health_router(
            service="crm-api",
            version=__version__,
            checks=runtime_checks(runtime),
            path="/api/health",
        )
    )
    app.include_router(metrics_router())
    return app
