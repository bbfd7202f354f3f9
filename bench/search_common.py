"""Shared pieces of the search benchmarks: the ingest service in-process on its own nats-server,
the corpus as the events crm-api would publish, and memory readings."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.search_corpus import Record
from crm_common import migrations
from crm_common.bus.connection import Bus, connect
from crm_common.contracts.search import IngestStatus
from crm_common.db import Database
from crm_common.events import Actor, CloudEvent
from crm_common.natsd import NatsServer
from crm_common.runtime import ServiceRuntime
from crm_common.testing import search_caught_up
from crm_ingest.__main__ import DEFINITION
from crm_ingest.embeddings.base import Embedder
from crm_ingest.process import IngestService
from crm_ingest.settings import Settings
from crm_ingest.store.base import VectorStore

ACTOR = Actor(kind="service", id="bench")


def rss_mib(pid: int | None = None) -> float:
    """Resident memory of a process (this one by default), from /proc."""
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def state_of(record: Record) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    base = {
        "id": record.id,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "created_by": "u-bench",
        "updated_by": "u-bench",
        "deleted_at": None,
    }
    if record.kind == "organization":
        return base | {"name": record.subject, "description": record.text}
    if record.kind == "contact":
        return base | {
            "first_name": "",
            "last_name": record.id,
            "notes": record.text,
            "affiliations": [{"organization_id": record.organization_id}],
        }
    return base | {
        "type": record.type,
        "subject": record.subject,
        "body": record.text,
        "occurred_at": record.occurred_at,
        "contact_id": record.contact_id,
        "organization_id": record.organization_id,
        "opportunity_id": None,
        "attendee_ids": [],
        "outcome": None,
        "next_action": None,
    }


def event_of(record: Record) -> CloudEvent:
    return CloudEvent(
        source="/crm-api",
        type=f"crm.{record.kind}.created",
        subject=record.id,
        actor=ACTOR,
        version=1,
        data=state_of(record),
    )


async def publish_all(bus: Bus, events: list[CloudEvent], in_flight: int = 256) -> None:
    for start in range(0, len(events), in_flight):
        batch = events[start : start + in_flight]
        await asyncio.gather(
            *(bus.js.publish(e.type, e.to_bytes(), headers={"Nats-Msg-Id": e.id}) for e in batch)
        )


@contextlib.asynccontextmanager
async def ingest_service(
    workdir: Path, *, embedder: Embedder, store: VectorStore | None = None, **settings: Any
) -> AsyncIterator[tuple[IngestService, Bus]]:
    nats = NatsServer(workdir / "nats").start()
    config = Settings(
        DATA_DIR=workdir,
        NATS_URL=nats.url,
        database_url=f"sqlite:///{workdir / 'ingest.db'}",
        **settings,
    )
    migrations.upgrade(
        config.database_url, versions=DEFINITION.versions, metadata=DEFINITION.metadata
    )
    db = Database(config.database_url)
    ingest = IngestService(config, db, embedder=embedder, store=store)
    runtime = ServiceRuntime(settings=config, db=db, workers=[ingest.bind])
    bus = await connect([nats.url], name="bench", wait=10)
    try:
        await runtime.start()
        await asyncio.wait_for(ingest.ready.wait(), 120)
        yield ingest, bus
    finally:
        await bus.close()
        await runtime.stop()
        nats.stop()


async def settle(bus: Bus, seconds: float = 3600.0) -> IngestStatus:
    """Wait until ingest has indexed everything published (`search.status`); returns its status."""
    return await search_caught_up(bus, within=seconds)
