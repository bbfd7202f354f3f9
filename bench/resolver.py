"""The resolver on the `make demo` data (2,000 contacts, 400 organizations, 20,000 communications).

For each database (SQLite; PostgreSQL too when BENCH_POSTGRES_URL or TEST_POSTGRES_URL is set):
1. bulk load: crm-api's demo generator fills a CRM and publishes its snapshot to a nats-server;
   then a resolver starts on an empty database and resolves the whole stream: records/s, with
   the entities, links, review items and evidence rows it made;
2. latency of a new contact: a `crm.contact.created` event published onto the CRM stream (as
   crm-api's relay does) until its `resolver.entity.*` event arrives, one at a time: p50/p99;
3. `resolver.neighbors` over request-reply on the demo graph, for persons and organizations
   picked at random, one at a time: p50/p99.

`--quick` runs the same at a tenth of the size.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.common import percentile, save
from crm_api.__main__ import DEFINITION as CRM_DEFINITION
from crm_api.auth import service as auth
from crm_api.auth.principal import Role
from crm_api.auth.schemas import UserCreate
from crm_api.demo.service import DemoSize, generate
from crm_api.demo.words import FIRST, LAST
from crm_api.settings import Settings as CrmSettings
from crm_api.snapshot import service as snapshot
from crm_common.bus.connection import Bus, connect
from crm_common.bus.service import call
from crm_common.bus.streams import ensure_streams
from crm_common.cli import migrate
from crm_common.contracts import resolver as contract
from crm_common.db import Database
from crm_common.events import Actor, CloudEvent
from crm_common.ids import new_id_str
from crm_common.models import outbox
from crm_common.natsd import NatsServer
from crm_common.outbox import OutboxRelay
from crm_common.testing import (
    create_postgres_database,
    drop_postgres_database,
    eventually,
    postgres_admin_url,
)
from crm_resolver.__main__ import DEFINITION as RESOLVER_DEFINITION
from crm_resolver.app import CRM_CONSUMER, build_runtime
from crm_resolver.context import Context
from crm_resolver.entities.models import Entity, EntityLink
from crm_resolver.graph.models import RelationEvidence
from crm_resolver.review.models import ReviewItem
from crm_resolver.settings import Settings as ResolverSettings

ACTOR = Actor(kind="service", id="bench", name="bench")
PASSWORD = "quartz-meadow-signal-harbor-9"


async def _drain(relay_db: Database, bus: Bus) -> None:
    """Publish crm-api's outbox (the snapshot) with its own relay, until nothing is unsent."""
    relay = OutboxRelay(relay_db, bus, batch_size=512)
    while True:
        sent = await relay.relay_once()
        if sent == 0:
            return


async def _caught_up(bus: Bus, db: Database, stream: str, consumer: str) -> None:
    async def backlog() -> int:
        try:
            info = await bus.js.consumer_info(stream, consumer)
        except Exception:  # the runner has not created it yet
            return 1
        pending = int(info.num_pending or 0) + int(info.num_ack_pending or 0)
        if pending:
            return pending
        with db.session() as session:
            unsent = session.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
            )
        return int(unsent or 0)

    async def caught_up() -> bool:
        return await backlog() == 0

    await eventually(caught_up, what=f"{consumer} caught up", within=3600)


def _counts(db: Database) -> dict[str, int]:
    with db.session() as session:

        def count(model: Any, *where: Any) -> int:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

        return {
            "entities_active": count(Entity, Entity.status == "active"),
            "entities_merged": count(Entity, Entity.status == "merged"),
            "links": count(EntityLink),
            "review_items_open": count(ReviewItem, ReviewItem.status == "open"),
            "evidence_rows": count(RelationEvidence),
        }


async def _latency(bus: Bus, rounds: int) -> dict[str, float]:
    """From `crm.contact.created` published to the `resolver.entity.*` event that links it."""
    rng = random.Random(7)
    waiting: dict[str, asyncio.Future[float]] = {}

    async def on_entity(msg: Any) -> None:
        arrived = time.perf_counter()
        data = json.loads(msg.data)["data"]
        for entity in data["entities"]:
            for link in entity["links"]:
                future = waiting.get(link["source_id"])
                if future is not None and not future.done():
                    future.set_result(arrived)

    sub = await bus.nc.subscribe("resolver.entity.>", cb=on_entity)
    latencies = []
    try:
        for index in range(rounds):
            contact_id = new_id_str()
            state = {
                "id": contact_id,
                "version": 1,
                "deleted_at": None,
                "first_name": rng.choice(FIRST),
                "last_name": rng.choice(LAST),
                "emails": [{"email": f"latency{index}@lp{index % 37}.example", "is_primary": True}],
                "phones": [],
                "affiliations": [],
                "city": rng.choice(("Austin", "London", "Zurich")),
                "owner_id": None,
            }
            cloud_event = CloudEvent(
                source="/crm-api",
                type="crm.contact.created",
                subject=contact_id,
                actor=ACTOR,
                version=1,
                data=state,
            )
            future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
            waiting[contact_id] = future
            started = time.perf_counter()
            await bus.js.publish(
                cloud_event.type,
                cloud_event.to_bytes(),
                headers={"Nats-Msg-Id": cloud_event.id},
                stream="CRM",
            )
            arrived = await asyncio.wait_for(future, 30)
            latencies.append((arrived - started) * 1000)
    finally:
        await sub.unsubscribe()
    return {
        "events": rounds,
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
    }


async def _neighbors(bus: Bus, db: Database, rounds: int) -> dict[str, Any]:
    with db.session() as session:
        ids = {
            kind: list(
                session.scalars(
                    select(Entity.id).where(Entity.status == "active", Entity.kind == kind)
                )
            )
            for kind in ("person", "organization")
        }
    figures: dict[str, Any] = {}
    rng = random.Random(3)
    for kind, entity_ids in ids.items():
        latencies, sizes = [], []
        for entity_id in rng.sample(entity_ids, min(rounds, len(entity_ids))):
            started = time.perf_counter()
            answer = await call(
                bus.nc,
                contract.SUBJECT_NEIGHBORS,
                contract.NeighborsRequest(entity_id=entity_id),
                contract.NeighborsResponse,
                timeout=30,
            )
            latencies.append((time.perf_counter() - started) * 1000)
            sizes.append(len(answer.neighbors))
        figures[kind] = {
            "queries": len(latencies),
            "p50_ms": round(percentile(latencies, 50), 2),
            "p99_ms": round(percentile(latencies, 99), 2),
            "mean_neighbors": round(sum(sizes) / max(1, len(sizes)), 1),
        }
    return figures


async def run_backend(
    name: str, crm_url: str, resolver_url: str, size: DemoSize, quick: bool
) -> dict[str, Any]:
    figures: dict[str, Any] = {"backend": name}
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        server = NatsServer(data_dir / "nats").start()
        try:
            crm_settings = CrmSettings(DATA_DIR=data_dir, database_url=crm_url, secret_key="b" * 48)
            migrate(CRM_DEFINITION, crm_settings)
            crm_db = Database(crm_settings.database_url)
            with crm_db.transaction() as session:
                auth.create_user(
                    session,
                    config=auth.AuthConfig.from_settings(crm_settings),
                    by=None,
                    data=UserCreate(username="bench", password=PASSWORD, role=Role.ADMIN),
                )
            generate(crm_db, size)
            result = snapshot.publish(crm_db, actor=ACTOR)
            records = sum(result.counts.values())
            bus = await connect([server.url], name="bench", wait=10)
            await ensure_streams(bus.js)
            await _drain(crm_db, bus)
            crm_db.dispose()

            settings = ResolverSettings(
                DATA_DIR=data_dir, NATS_URL=server.url, database_url=resolver_url
            )
            migrate(RESOLVER_DEFINITION, settings)
            db = Database(settings.database_url)
            runtime = build_runtime(settings, db, Context.from_settings(settings))
            started = time.perf_counter()
            await runtime.start()
            await _caught_up(bus, db, "CRM", CRM_CONSUMER)
            elapsed = time.perf_counter() - started
            figures["bulk_load"] = {
                "records": records,
                "by_kind": result.counts,
                "seconds": round(elapsed, 1),
                "records_per_s": round(records / elapsed, 1),
                **_counts(db),
            }
            print(f"  {name} bulk load: {figures['bulk_load']}")
            figures["contact_created_to_entity_event"] = await _latency(bus, 50 if quick else 300)
            print(f"  {name} latency: {figures['contact_created_to_entity_event']}")
            figures["neighbors"] = await _neighbors(bus, db, 50 if quick else 300)
            print(f"  {name} neighbors: {figures['neighbors']}")
            await runtime.stop()
            await bus.close()
        finally:
            server.stop()
    return figures


async def run(*, quick: bool = False) -> None:
    size = DemoSize()
    if quick:
        size = DemoSize(organizations=40, contacts=200, communications=2_000, funds=3)
    print(f"resolver: demo data {size}")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(
            await run_backend(
                "sqlite", f"sqlite:///{tmp}/crm.db", f"sqlite:///{tmp}/resolver.db", size, quick
            )
        )
    admin = (
        postgres_admin_url()
        if not os.environ.get("BENCH_POSTGRES_URL")
        else os.environ["BENCH_POSTGRES_URL"].replace("postgresql://", "postgresql+psycopg://")
    )
    if admin:
        crm_url = create_postgres_database(admin)
        resolver_url = create_postgres_database(admin)
        try:
            results.append(await run_backend("postgresql", crm_url, resolver_url, size, quick))
        finally:
            drop_postgres_database(admin, crm_url)
            drop_postgres_database(admin, resolver_url)
    path = save(
        "resolver" + ("-quick" if quick else ""), {"size": size.__dict__, "backends": results}
    )
    print(f"  saved {path}")
