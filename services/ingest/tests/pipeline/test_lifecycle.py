"""A communication's life in search, end to end: real nats-server, consumer, ledger, minilm,
and each store."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_helpers import (
    STORE_KINDS,
    communication,
    event,
    ingest_settings,
    make_store,
    publish,
    running_ingest,
    search,
    settle,
)

from crm_common.bus.connection import Bus
from crm_common.natsd import NatsServer
from crm_ingest.embeddings.minilm import MiniLMEmbedder

pytestmark = pytest.mark.anyio

BODY = "The endowment's CIO wants a side letter with an MFN clause before they commit."
EDITED = "The endowment's CIO dropped the MFN ask; they want co-investment rights instead."


def sources(response: object) -> list[str]:
    return [hit.citation.source_id for hit in response.hits]  # type: ignore[attr-defined]


@pytest.mark.parametrize("store_kind", STORE_KINDS)
async def test_a_communication_appears_changes_disappears_and_reappears(
    tmp_path: Path,
    nats_server: NatsServer,
    bus: Bus,
    database_url: str,
    minilm: MiniLMEmbedder,
    store_kind: str,
) -> None:
    settings = ingest_settings(tmp_path, nats_server.url, database_url)
    store = make_store(store_kind, tmp_path)
    async with running_ingest(settings, embedder=minilm, store=store) as ingest:
        state = communication(subject="Call with the endowment", body=BODY)
        record_id = state["id"]
        await publish(bus, event("communication", "created", state, version=1))
        await settle(ingest)
        found = await search(bus, "side letter MFN")
        assert sources(found) == [record_id]
        hit = found.hits[0]
        assert "MFN clause" in hit.snippet
        assert hit.citation.crm_path == f"/api/communications/{record_id}"
        assert hit.citation.source_version == 1
        assert hit.citation.event_time.isoformat().startswith("2026-10-01T15:00:00")

        edited = state | {"body": EDITED, "version": 2}
        await publish(bus, event("communication", "updated", edited, version=2))
        await settle(ingest)
        found = await search(bus, "co-investment rights", mode="sparse")
        assert sources(found) == [record_id]
        assert "co-investment" in found.hits[0].snippet
        assert found.hits[0].citation.source_version == 2
        assert (await search(bus, "side letter", mode="sparse")).hits == []

        deleted = edited | {"version": 3, "deleted_at": "2026-11-01T00:00:00+00:00"}
        await publish(bus, event("communication", "deleted", deleted, version=3))
        await settle(ingest)
        assert (await search(bus, "co-investment rights")).hits == []
        assert store.count() == 0

        restored = edited | {"version": 4, "deleted_at": None}
        await publish(bus, event("communication", "restored", restored, version=4))
        await settle(ingest)
        found = await search(bus, "co-investment rights")
        assert sources(found) == [record_id]
        assert found.hits[0].citation.source_version == 4

        await publish(
            bus, event("communication", "purged", {"id": record_id, "purged": True}, version=5)
        )
        await settle(ingest)
        assert (await search(bus, "co-investment rights")).hits == []
        assert store.count() == 0
