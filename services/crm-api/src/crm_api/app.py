"""The crm-api application: HTTP routes under /api, the browser app on /, and the outbox relay."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from crm_api import __version__, openapi, problems
from crm_api.activity.routes import router as activity_router
from crm_api.agents.routes import proposals_router
from crm_api.agents.routes import router as agents_router
from crm_api.audit.routes import router as audit_router
from crm_api.auth.dependencies import assert_every_route_declares_access, require
from crm_api.auth.principal import Access
from crm_api.auth.routes import router as auth_router
from crm_api.auth.service import AuthConfig
from crm_api.automations.handlers import consumer_spec as automations_consumer
from crm_api.automations.routes import router as automations_router
from crm_api.automations.scheduler import RuleScheduler
from crm_api.backups.maintenance import Gate, MaintenanceGate
from crm_api.backups.routes import router as backups_router
from crm_api.backups.scheduler import BackupScheduler
from crm_api.backups.store import Store as BackupStore
from crm_api.canonical.handlers import SPEC as CANONICAL_CONSUMER
from crm_api.collab.hub import GridHub
from crm_api.collab.routes import router as collab_router
from crm_api.communications.routes import router as communications_router
from crm_api.contacts.routes import router as contacts_router
from crm_api.custom_fields.routes import router as custom_fields_router
from crm_api.dossiers.routes import router as dossiers_router
from crm_api.email.routes import router as email_router
from crm_api.exports.routes import router as exports_router
from crm_api.feature_requests.routes import router as feature_requests_router
from crm_api.followups.routes import router as followups_router
from crm_api.funds.routes import router as funds_router
from crm_api.grid.routes import router as grid_router
from crm_api.imports.jobs import ImportWorker
from crm_api.imports.routes import JOBS_PATH as IMPORT_JOBS_PATH
from crm_api.imports.routes import PATH as IMPORT_PATH
from crm_api.imports.routes import router as imports_router
from crm_api.interactions.routes import router as interactions_router
from crm_api.lookups.routes import router as lookups_router
from crm_api.lp_profiles.routes import router as lp_profiles_router
from crm_api.opportunities.routes import router as opportunities_router
from crm_api.organizations.routes import router as organizations_router
from crm_api.reports.routes import router as reports_router
from crm_api.resolver.routes import router as resolver_router
from crm_api.saved_views.routes import router as saved_views_router
from crm_api.search.routes import router as search_router
from crm_api.security.middleware import BodyLimit, ContentTrust, RequestContext, SecurityHeaders
from crm_api.security.ratelimit import RateLimits
from crm_api.security.routes import router as security_router
from crm_api.security.taint import SessionTaints
from crm_api.settings import Settings
from crm_api.snapshot.routes import router as snapshot_router
from crm_api.spreadsheets.routes import IMPORT_PATH as GRID_IMPORT_PATH
from crm_api.spreadsheets.routes import router as spreadsheets_router
from crm_api.tags.routes import router as tags_router
from crm_api.webapp.routes import web_app_router
from crm_common.bus.connection import Bus
from crm_common.bus.consumer import ConsumerRunner
from crm_common.db import Database
from crm_common.http import health_router, metrics_router, runtime_checks
from crm_common.outbox import OutboxRelay
from crm_common.runtime import ServiceRuntime

ROUTERS = (
    auth_router,
    audit_router,
    interactions_router,
    security_router,
    lookups_router,
    organizations_router,
    contacts_router,
    funds_router,
    opportunities_router,
    communications_router,
    followups_router,
    lp_profiles_router,
    dossiers_router,
    snapshot_router,
    tags_router,
    custom_fields_router,
    feature_requests_router,
    reports_router,
    exports_router,
    imports_router,
    resolver_router,
    email_router,
    grid_router,
    collab_router,
    automations_router,
    spreadsheets_router,
    backups_router,
    activity_router,
    search_router,
    agents_router,
    proposals_router,
    saved_views_router,
)


def _lifespan(runtime: ServiceRuntime, import_worker: ImportWorker) -> Any:
    """The runtime (bus, relay) and the import worker, which needs the database only."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        jobs = asyncio.create_task(import_worker.run(), name="import-jobs")
        try:
            yield
        finally:
            await import_worker.stop()
            await jobs
            await runtime.stop()

    return lifespan


def create_app(settings: Settings, *, db: Database | None = None) -> FastAPI:
    db = db or Database(settings.database_url)
    runtime = ServiceRuntime(settings=settings, db=db)

    def relay(bus: Bus) -> OutboxRelay:
        return OutboxRelay(db, bus, poll_interval=settings.outbox_poll_interval)

    runtime.add_worker(relay)
    # Canonical ids from the resolver, into a side table: no crm.* event, so no loop.
    runtime.add_worker(lambda bus: ConsumerRunner(CANONICAL_CONSUMER, bus=bus, db=db))
    import_worker = ImportWorker(
        db,
        poll_interval=settings.import_poll_interval,
        slice_rows=settings.import_slice_rows,
        slice_seconds=settings.import_slice_seconds,
    )
    # The grid's live feed: every instance reads every change (crm_api.collab).
    hub = GridHub(presence_ttl=settings.grid_presence_ttl)
    runtime.add_worker(hub.bind)
    runtime.add_worker(lambda bus: ConsumerRunner(automations_consumer(), bus=bus, db=db))
    runtime.add_worker(lambda bus: RuleScheduler(db, interval=settings.automation_interval))
    backups = BackupStore(settings.backups_path)
    runtime.add_worker(
        lambda bus: BackupScheduler(db, backups, interval=settings.backup_check_interval)
    )
    maintenance = Gate()
    app = FastAPI(
        title="LP CRM API",
        version=__version__,
        description="A venture fund's LP relationships, for its partners and their agents.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=_lifespan(runtime, import_worker),
    )
    app.state.runtime = runtime
    app.state.import_worker = import_worker
    app.state.grid_hub = hub
    app.state.backups = backups
    app.state.maintenance = maintenance
    app.state.db = db
    app.state.auth = AuthConfig.from_settings(settings)
    app.state.rate_limits = RateLimits(
        login=settings.rate_limit_login,
        write=settings.rate_limit_write,
        read=settings.rate_limit_read,
    )
    app.state.integrations = {}
    app.state.session_taints = SessionTaints()

    public = [Depends(require(Access.PUBLIC))]
    app.include_router(
        health_router(
            service="crm-api",
            version=__version__,
            checks=runtime_checks(runtime),
            path="/api/health",
            dependencies=public,
        )
    )
    app.include_router(metrics_router(dependencies=public))
    for router in ROUTERS:
        app.include_router(router)
    # Last: its page answers every GET path no route above claimed (the app's own routes).
    app.include_router(web_app_router(settings.web_dir))
    problems.install(app)
    openapi.install(app)

    # Outermost first: ids for every log line, then headers on every answer, then the body limit,
    # then the restore's gate.
    app.add_middleware(MaintenanceGate, gate=maintenance)
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        large_paths={
            IMPORT_PATH: settings.max_import_bytes,
            IMPORT_JOBS_PATH: settings.max_import_bytes,
            GRID_IMPORT_PATH: settings.max_import_bytes,
            # A pasted range of thousands of cells is larger than an ordinary body.
            "/api/grid/batches": settings.max_import_bytes,
        },
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "X-API-Key",
                "If-Match",
                "Idempotency-Key",
            ],
            expose_headers=["ETag", "Retry-After", "X-Request-ID"],
        )
    app.add_middleware(ContentTrust)
    app.add_middleware(SecurityHeaders, hsts=settings.behind_tls)
    app.add_middleware(RequestContext)
    assert_every_route_declares_access(app)
    return app
