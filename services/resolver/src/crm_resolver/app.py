"""The resolver process: consumers of `crm.*` and `gmail.message.*`, the request-reply service
`resolver.*`, the outbox relay of `resolver.entity.*`, and the HTTP face (`/health`, `/metrics`)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI
from nats.micro.service import Service

from crm_common.bus.connection import Bus
from crm_common.bus.consumer import ConsumerRunner
from crm_common.bus.service import Endpoint, start_service
from crm_common.db import Database
from crm_common.http import health_app
from crm_common.outbox import OutboxRelay
from crm_common.runtime import ServiceRuntime
from crm_resolver import __version__
from crm_resolver.context import Context
from crm_resolver.endpoints import endpoints
from crm_resolver.handlers import consumer_specs
from crm_resolver.settings import Settings


class RequestReply:
    """A runtime worker that serves the `resolver.*` endpoints while the process runs."""

    def __init__(self, bus: Bus, served: list[Endpoint[Any, Any]]) -> None:
        self._bus = bus
        self._endpoints = served
        self._service: Service | None = None
        self._stopped = asyncio.Event()

    async def run(self) -> None:
        self._service = await start_service(
            self._bus.nc,
            name="resolver",
            version=__version__,
            endpoints=self._endpoints,
            description="Canonical entities, merges and the relationship graph",
        )
        await self._stopped.wait()

    async def stop(self) -> None:
        if self._service is not None:
            await self._service.stop()
        self._stopped.set()


def build_runtime(settings: Settings, db: Database, ctx: Context) -> ServiceRuntime:
    runtime = ServiceRuntime(settings=settings, db=db)
    runtime.add_worker(lambda bus: OutboxRelay(db, bus))
    for spec in consumer_specs(ctx):
        runtime.add_worker(lambda bus, spec=spec: ConsumerRunner(spec, bus=bus, db=db))  # type: ignore[misc]
    served = endpoints(db, ctx)
    runtime.add_worker(lambda bus: RequestReply(bus, served))
    return runtime


def create_app(settings: Settings, *, db: Database | None = None) -> FastAPI:
    db = db or Database(settings.database_url)
    ctx = Context.from_settings(settings)
    runtime = build_runtime(settings, db, ctx)
    app = health_app(runtime, version=__version__, title="resolver")
    app.state.db = db
    app.state.context = ctx
    return app
