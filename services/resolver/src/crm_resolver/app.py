"""The resolver process: it builds the database and the context, registers each domain's
consumers (`<domain>/handlers.py`) and request-reply endpoints (`<domain>/endpoints.py`) and the
outbox relay of `resolver.entity.*` on a `ServiceRuntime`, and serves `/health` and `/metrics`.

    resolver-crm     crm.<aggregate>.* (resolution: the identities; graph: the evidence only)
    resolver-gmail   gmail.message.* (resolution)
    resolver.*       matching, entities, graph, review, decisions
"""

from __future__ import annotations

from fastapi import FastAPI

from crm_common.bus.consumer import ConsumerSpec
from crm_common.db import Database
from crm_common.http import health_app
from crm_common.outbox import OutboxRelay
from crm_common.runtime import ServiceRuntime
from crm_resolver import __version__
from crm_resolver.context import Context
from crm_resolver.decisions import endpoints as decisions_endpoints
from crm_resolver.entities import endpoints as entities_endpoints
from crm_resolver.entities.transactions import handler
from crm_resolver.graph import endpoints as graph_endpoints
from crm_resolver.graph import handlers as graph_handlers
from crm_resolver.matching import endpoints as matching_endpoints
from crm_resolver.resolution import handlers as resolution_handlers
from crm_resolver.review import endpoints as review_endpoints
from crm_resolver.settings import Settings

ACTIONS = ("created", "updated", "deleted", "restored", "snapshot", "purged")
CRM_HANDLERS = resolution_handlers.CRM | graph_handlers.CRM
# In the durable consumer's filter order (a reorder would update its configuration).
CRM_AGGREGATES = (
    "contact",
    "organization",
    "lp_profile",
    "grid_row",
    "communication",
    "opportunity",
    "user",
)

CRM_CONSUMER = "resolver-crm"
GMAIL_CONSUMER = "resolver-gmail"


def consumer_specs(ctx: Context) -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            name=CRM_CONSUMER,
            stream="CRM",
            filter_subjects=[f"crm.{aggregate}.>" for aggregate in CRM_AGGREGATES],
            handlers={
                f"crm.{aggregate}.{action}": handler(ctx, CRM_HANDLERS[aggregate])
                for aggregate in CRM_AGGREGATES
                for action in ACTIONS
            },
        ),
        ConsumerSpec(
            name=GMAIL_CONSUMER,
            stream="GMAIL",
            filter_subjects=["gmail.message.>"],
            handlers={
                f"gmail.message.{action}": handler(ctx, handle)
                for action, handle in resolution_handlers.GMAIL.items()
            },
        ),
    ]


def build_runtime(settings: Settings, db: Database, ctx: Context) -> ServiceRuntime:
    runtime = ServiceRuntime(settings=settings, db=db)
    runtime.add_worker(lambda bus: OutboxRelay(db, bus))
    runtime.add_consumers(consumer_specs(ctx))
    runtime.add_endpoints(
        [
            *matching_endpoints.endpoints(db, ctx),
            *entities_endpoints.endpoints(db, ctx),
            *graph_endpoints.endpoints(db, ctx),
            *review_endpoints.endpoints(db, ctx),
            *decisions_endpoints.endpoints(db, ctx),
        ],
        name="resolver",
        version=__version__,
        description="Canonical entities, merges and the relationship graph",
    )
    return runtime


def create_app(settings: Settings, *, db: Database | None = None) -> FastAPI:
    db = db or Database(settings.database_url)
    ctx = Context.from_settings(settings)
    runtime = build_runtime(settings, db, ctx)
    app = health_app(runtime, version=__version__, title="resolver")
    app.state.db = db
    app.state.context = ctx
    return app
