"""Helpers for ingest tests: the stores under test, the service running in the test's event loop,
and events shaped as crm-api and resolver publish them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qdrant_client import QdrantClient

from crm_common import migrations
from crm_common.bus.connection import Bus
from crm_common.bus.service import call
from crm_common.contracts.search import SearchRequest, SearchResponse
from crm_common.db import Database
from crm_common.events import Actor, CloudEvent
from crm_common.ids import new_id_str
from crm_common.runtime import ServiceRuntime
from crm_common.testing import search_caught_up
from crm_ingest.__main__ import DEFINITION
from crm_ingest.embeddings.base import Embedder
from crm_ingest.process import IngestService
from crm_ingest.settings import Settings
from crm_ingest.store.base import VectorStore
from crm_ingest.store.edge import EdgeStore
from crm_ingest.store.qdrant import QdrantStore

STORE_KINDS = ["edge", "qdrant"]


def make_store(kind: str, tmp_path: Path) -> VectorStore:
    if kind == "edge":
        return EdgeStore(tmp_path / "qdrant" / "crm_chunks", optimize_threshold=1_000_000)
    return QdrantStore(QdrantClient(path=str(tmp_path / "qdrant-local")), collection="crm_chunks")


# -- the running service ---------------------------------------------------------------------------


ACTOR = Actor(kind="user", id="u-alice", name="alice")
USER_ID = "u-alice"


def ingest_settings(tmp_path: Path, nats_url: str, database_url: str, **extra: Any) -> Settings:
    return Settings(DATA_DIR=tmp_path, NATS_URL=nats_url, database_url=database_url, **extra)


def migrate(settings: Settings) -> None:
    migrations.upgrade(
        settings.database_url, versions=DEFINITION.versions, metadata=DEFINITION.metadata
    )


@contextlib.asynccontextmanager
async def running_ingest(
    settings: Settings, *, embedder: Embedder, store: VectorStore | None = None
) -> AsyncIterator[IngestService]:
    """The ingest service, as `ingest serve` runs it but in this event loop."""
    migrate(settings)
    db = Database(settings.database_url)
    ingest = IngestService(settings, db, embedder=embedder, store=store)
    runtime = ServiceRuntime(settings=settings, db=db, workers=[ingest.bind])
    await runtime.start()
    try:
        async with asyncio.timeout(60):
            await ingest.ready.wait()
        yield ingest
    finally:
        await runtime.stop()


async def settle(ingest: IngestService, seconds: float = 30.0) -> None:
    """Wait until every event is consumed and the store holds what the ledger says."""
    assert ingest.bus is not None
    await search_caught_up(ingest.bus, within=seconds)


async def search(bus: Bus, query: str, **options: Any) -> SearchResponse:
    return await call(
        bus.nc, "search.query", SearchRequest(query=query, **options), SearchResponse, timeout=30
    )


async def publish(bus: Bus, event: CloudEvent) -> None:
    await bus.js.publish(event.type, event.to_bytes(), headers={"Nats-Msg-Id": event.id})


def event(
    aggregate: str,
    action: str,
    state: dict[str, Any],
    *,
    version: int,
    source: str = "/crm-api",
) -> CloudEvent:
    prefix = "resolver" if aggregate == "entity" else "crm"
    return CloudEvent(
        source=source,
        type=f"{prefix}.{aggregate}.{action}",
        subject=str(state.get("id") or state["entities"][0]["id"]),
        actor=ACTOR,
        version=version,
        data=state,
    )


def _stamp(version: int, deleted: bool) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {
        "version": version,
        "created_at": now,
        "updated_at": now,
        "created_by": USER_ID,
        "updated_by": USER_ID,
        "deleted_at": now if deleted else None,
    }


def communication(
    record_id: str | None = None,
    *,
    subject: str = "",
    body: str = "",
    type: str = "call",
    occurred_at: str = "2026-10-01T15:00:00+00:00",
    contact_id: str | None = "c-ada",
    organization_id: str | None = None,
    opportunity_id: str | None = None,
    attendee_ids: list[str] | None = None,
    version: int = 1,
    deleted: bool = False,
    created_by: str = USER_ID,
    outcome: str | None = None,
) -> dict[str, Any]:
    return _stamp(version, deleted) | {
        "id": record_id or new_id_str(),
        "type": type,
        "subject": subject,
        "body": body,
        "occurred_at": occurred_at,
        "contact_id": contact_id,
        "organization_id": organization_id,
        "opportunity_id": opportunity_id,
        "attendee_ids": attendee_ids or [],
        "outcome": outcome,
        "next_action": None,
        "next_action_due": None,
        "created_by": created_by,
    }


def contact(
    record_id: str, first: str, last: str, *, notes: str = "", version: int = 1
) -> dict[str, Any]:
    return _stamp(version, False) | {
        "id": record_id,
        "first_name": first,
        "last_name": last,
        "notes": notes,
        "affiliations": [],
    }


def opportunity(
    record_id: str, *, fund_id: str, organization_id: str, version: int = 1
) -> dict[str, Any]:
    return _stamp(version, False) | {
        "id": record_id,
        "investor_organization_id": organization_id,
        "investor_contact_id": None,
        "fund_id": fund_id,
        "stage": "diligence",
        "next_step": "",
        "description": "",
    }


def entity_state(
    entity_id: str,
    links: list[tuple[str, str]],
    *,
    version: int = 1,
    status: str = "active",
    merged_into: str | None = None,
    decided_at: str = "2026-11-01T00:00:00+00:00",
) -> dict[str, Any]:
    return {
        "id": entity_id,
        "kind": "person",
        "status": status,
        "merged_into": merged_into,
        "display_name": entity_id,
        "emails": [],
        "domains": [],
        "links": [
            {
                "source_kind": kind,
                "source_id": source_id,
                "match_kind": "foreign_key",
                "confidence": 0.9,
                "decided_by": "rule:test",
                "decided_at": decided_at,
            }
            for kind, source_id in links
        ],
        "version": version,
        "updated_at": decided_at,
    }
