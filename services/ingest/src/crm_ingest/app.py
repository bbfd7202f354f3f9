"""The HTTP face of ingest: `/health` and `/metrics`."""

from __future__ import annotations

from fastapi import FastAPI

from crm_common.db import Database
from crm_common.http import health_app
from crm_common.runtime import ServiceRuntime
from crm_ingest import __version__
from crm_ingest.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    runtime = ServiceRuntime(settings=settings, db=Database(settings.database_url))
    return health_app(runtime, version=__version__, title="ingest")
