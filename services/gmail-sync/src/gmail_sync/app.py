"""The gmail-sync process: it builds the database, the sync engine and a `ServiceRuntime` (the
bus, its streams), and serves `/health` and `/metrics`.

    outbox relay        gmail.message.<created|updated|deleted>
    sync scheduler      every active account, on its interval and on `sync_now`
    gmail.messages.*    request-reply: a matched message, an entity's messages (mail/endpoints)
    gmail-sync-resolver resolver.entity.* (mail/handlers): merges move links, changes re-match
    gmail.status, gmail.accounts.*, gmail.oauth.*, gmail.sync.run, gmail.rematch,
    gmail.messages.mark_private   request-reply for crm-api's /api/email routes (control/)
"""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from crm_common.bus.connection import Bus
from crm_common.db import Database
from crm_common.http import health_app
from crm_common.outbox import OutboxRelay
from crm_common.runtime import ServiceRuntime
from gmail_sync import __version__
from gmail_sync.control import endpoints as control_endpoints
from gmail_sync.mail import endpoints as mail_endpoints
from gmail_sync.mail import handlers as mail_handlers
from gmail_sync.matching.service import ResolverMatcher
from gmail_sync.messages import AttachmentStore
from gmail_sync.settings import Settings
from gmail_sync.sync.engine import SyncEngine
from gmail_sync.sync.scheduler import SyncScheduler


class Services:
    """What the process runs, for tests and for the later routes (sync now)."""

    scheduler: SyncScheduler | None = None


def build_runtime(settings: Settings, db: Database, services: Services) -> ServiceRuntime:
    runtime = ServiceRuntime(settings=settings, db=db)
    runtime.add_worker(lambda bus: OutboxRelay(db, bus))

    def scheduler(bus: Bus) -> SyncScheduler:
        matcher = ResolverMatcher(
            bus.nc, loop=asyncio.get_running_loop(), timeout=settings.resolver_timeout_seconds
        )
        engine = SyncEngine(db=db, settings=settings, matcher=matcher)
        services.scheduler = SyncScheduler(
            db=db, engine=engine, interval=settings.sync_interval_seconds
        )
        return services.scheduler

    runtime.add_worker(scheduler)
    runtime.add_consumers([mail_handlers.consumer_spec()])
    runtime.add_endpoints(
        [
            *mail_endpoints.endpoints(
                db,
                AttachmentStore.for_data_dir(
                    settings.data_dir, max_bytes=settings.max_attachment_bytes
                ),
            ),
            *control_endpoints.endpoints(db, settings, lambda: services.scheduler),
        ],
        name="gmail",
        version=__version__,
        description="Team mail linked to the CRM's entities",
    )
    return runtime


def create_app(settings: Settings, *, db: Database | None = None) -> FastAPI:
    db = db or Database(settings.database_url)
    services = Services()
    runtime = build_runtime(settings, db, services)
    app = health_app(runtime, version=__version__, title="gmail-sync")
    app.state.db = db
    app.state.services = services
    return app
