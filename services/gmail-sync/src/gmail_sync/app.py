"""The gmail-sync process: it builds the database and a `ServiceRuntime` (the bus, its streams)
and serves `/health` and `/metrics`.

It is the process module of the services' shared skeleton (see crm_resolver.app): a domain that
consumes events registers its `handlers.py` here with `runtime.add_consumers`, and one that
answers requests its `endpoints.py` with `runtime.add_endpoints`. None exists yet.
"""

from __future__ import annotations

from fastapi import FastAPI

from crm_common.db import Database
from crm_common.http import health_app
from crm_common.runtime import ServiceRuntime
from gmail_sync import __version__
from gmail_sync.settings import Settings


def create_app(settings: Settings, *, db: Database | None = None) -> FastAPI:
    db = db or Database(settings.database_url)
    runtime = ServiceRuntime(settings=settings, db=db)
    app = health_app(runtime, version=__version__, title="gmail-sync")
    app.state.db = db
    return app
