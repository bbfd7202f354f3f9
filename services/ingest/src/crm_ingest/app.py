"""The ingest process: it builds the database and the ingest service (process.py: the model, the
store, each domain's consumers, the indexer and the `search.*` endpoints) on a `ServiceRuntime`,
and serves `/health` (database, bus, and the index) and `/metrics`.

Search itself is request-reply on the bus (`search.query`); crm-api serves it over HTTP.
"""

from __future__ import annotations

from fastapi import FastAPI

from crm_common.db import Database
from crm_common.http import health_router, lifespan_for, metrics_router, runtime_checks
from crm_common.runtime import ServiceRuntime
from crm_ingest import __version__
from crm_ingest.embeddings.base import Embedder
from crm_ingest.process import IngestService
from crm_ingest.settings import Settings
from crm_ingest.store.base import VectorStore


def create_app(
    settings: Settings,
    *,
    db: Database | None = None,
    embedder: Embedder | None = None,
    store: VectorStore | None = None,
) -> FastAPI:
    db = db or Database(settings.database_url)
    ingest = IngestService(settings, db, embedder=embedder, store=store)
    runtime = ServiceRuntime(settings=settings, db=db, workers=[ingest.bind])
    app = FastAPI(title="ingest", version=__version__, lifespan=lifespan_for(runtime))
    checks = runtime_checks(runtime) | {"index": ingest.check_index}
    app.include_router(health_router(service="ingest", version=__version__, checks=checks))
    app.include_router(metrics_router())
    app.state.runtime = runtime
    app.state.ingest = ingest
    return app
