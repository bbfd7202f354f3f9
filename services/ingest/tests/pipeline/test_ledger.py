"""The chunk ledger: redelivered and unchanged events embed nothing; redaction keeps sensitive
values out of the store; names and canonical ids are re-stamped without re-embedding."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from ingest_helpers import (
    STORE_KINDS,
    communication,
    contact,
    entity_state,
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
from crm_ingest.process import IngestService
from crm_ingest.store.base import VectorStore

pytestmark = pytest.mark.anyio

WIRE = (
    "Sent the wire instructions for the capital call: ABA routing 021000021, account number "
    "123456789012, SWIFT CHASUS33XXX. Their treasurer Quillfeather confirmed by phone."
)
SECRETS = ("021000021", "123456789012", "CHASUS33XXX")


def ingest_files(tmp_path: Path) -> bytes:
    """Every byte ingest wrote: its database and its store (not the NATS stream, which carries
    crm-api's records as they are)."""
    nats_dir = tmp_path / "nats"
    files = [f for f in tmp_path.rglob("*") if f.is_file() and nats_dir not in f.parents]
    return b"".join(f.read_bytes() for f in files)


@pytest.fixture
async def ingest(
    tmp_path: Path, nats_server: NatsServer, bus: Bus, minilm: MiniLMEmbedder
) -> AsyncIterator[IngestService]:
    settings = ingest_settings(tmp_path, nats_server.url, f"sqlite:///{tmp_path / 'ingest.db'}")
    async with running_ingest(settings, embedder=minilm) as running:
        yield running


async def test_redelivered_and_unchanged_events_embed_nothing_new(
    ingest: IngestService, bus: Bus
) -> None:
    state = communication("c1", subject="Capital call", body="Timing of the next capital call.")
    created = event("communication", "created", state, version=1)
    await publish(bus, created)
    await settle(ingest)
    assert ingest.indexer is not None
    assert ingest.indexer.stats.upserted == 1

    # A redelivery (same event id; published under another message id, so the stream keeps it).
    await bus.js.publish(created.type, created.to_bytes(), headers={"Nats-Msg-Id": "again"})
    # An older version arriving late.
    await publish(bus, event("communication", "updated", state, version=1))
    # A change that leaves the prose as it was: only the payload is re-stamped.
    moved = state | {"version": 2, "attendee_ids": ["c-bob"]}
    await publish(bus, event("communication", "updated", moved, version=2))
    await settle(ingest)
    assert ingest.indexer.stats.upserted == 1
    assert ingest.indexer.stats.stamped >= 1
    hit = (await search(bus, "capital call")).hits[0]
    assert hit.contact_ids == ["c-ada", "c-bob"]
    assert hit.citation.source_version == 2


@pytest.mark.parametrize("store_kind", STORE_KINDS)
async def test_a_planted_account_number_never_reaches_the_store(
    tmp_path: Path,
    nats_server: NatsServer,
    bus: Bus,
    minilm: MiniLMEmbedder,
    store_kind: str,
) -> None:
    settings = ingest_settings(tmp_path, nats_server.url, f"sqlite:///{tmp_path / 'ingest.db'}")
    store: VectorStore = make_store(store_kind, tmp_path)
    async with running_ingest(settings, embedder=minilm, store=store) as ingest:
        state = communication("wire", subject="Wire for Fund IV", body=WIRE)
        await publish(bus, event("communication", "created", state, version=1))
        await settle(ingest)
        found = await search(bus, "wire instructions routing account", top_k=1)
        hit = found.hits[0]
        assert "[ROUTING_NUMBER_1]" in hit.snippet
        assert "[ACCOUNT_NUMBER_1]" in hit.snippet
        for marker in hit.redactions:  # each placeholder locates its original in the record
            assert marker.field == "body"
            assert state["body"][marker.start : marker.end] in SECRETS
        payloads, offset = [], None
        while True:
            page, offset = store.scroll(limit=100, offset=offset)
            payloads += [str(p.payload) for p in page]
            if offset is None:
                break
        assert any("Quillfeather" in p for p in payloads)
        assert not any(secret in p for p in payloads for secret in SECRETS)
    on_disk = ingest_files(tmp_path)
    assert b"Quillfeather" in on_disk  # the store and the ledger are readable as they are...
    for secret in SECRETS:  # ...and hold no sensitive value anywhere
        assert secret.encode() not in on_disk


async def test_a_rename_restamps_the_names_without_reembedding(
    ingest: IngestService, bus: Bus
) -> None:
    await publish(
        bus,
        event(
            "communication", "created", communication("c1", body="Capital call timing."), version=1
        ),
    )
    await settle(ingest)
    assert (await search(bus, "capital call")).hits[0].names == []
    await publish(bus, event("contact", "created", contact("c-ada", "Ada", "Lovelace"), version=1))
    await settle(ingest)
    assert (await search(bus, "capital call")).hits[0].names == ["Ada Lovelace"]
    await publish(
        bus, event("contact", "updated", contact("c-ada", "Ada", "King", version=2), version=2)
    )
    await settle(ingest)
    hit = (await search(bus, "capital call")).hits[0]
    assert hit.names == ["Ada King"]
    assert hit.author_name is None
    assert ingest.indexer is not None
    assert ingest.indexer.stats.upserted == 1  # contacts without notes have no chunks


async def test_canonical_ids_follow_resolver_in_any_order_and_a_merge_restamps_them(
    ingest: IngestService, bus: Bus
) -> None:
    # resolver speaks of c-bob before the CRM does
    await publish(
        bus,
        event(
            "entity",
            "upserted",
            {"entities": [entity_state("e-bob", [("contact", "c-bob")])]},
            version=1,
        ),
    )
    await publish(
        bus,
        event(
            "communication",
            "created",
            communication("ada", body="Capital call timing.", contact_id="c-ada"),
            version=1,
        ),
    )
    await publish(
        bus,
        event(
            "communication",
            "created",
            communication("bob", body="Capital call notice.", contact_id="c-bob"),
            version=1,
        ),
    )
    await publish(
        bus,
        event(
            "entity",
            "upserted",
            {"entities": [entity_state("e-ada", [("contact", "c-ada")])]},
            version=1,
        ),
    )
    await settle(ingest)

    async def by_entity(entity_id: str) -> set[str]:
        found = await search(bus, "capital call", filters={"entity_ids": [entity_id]})
        return {hit.citation.source_id for hit in found.hits}

    assert await by_entity("e-ada") == {"ada"}
    assert await by_entity("e-bob") == {"bob"}
    assert ingest.indexer is not None
    embedded = ingest.indexer.stats.upserted

    merged = {
        "entities": [
            entity_state(
                "e-ada",
                [("contact", "c-ada"), ("contact", "c-bob")],
                version=2,
                decided_at="2026-11-02T00:00:00+00:00",
            ),
            entity_state(
                "e-bob",
                [],
                version=2,
                status="merged",
                merged_into="e-ada",
                decided_at="2026-11-02T00:00:00+00:00",
            ),
        ],
        "decision_id": "d-1",
    }
    await publish(bus, event("entity", "merged", merged, version=2))
    await settle(ingest)
    assert await by_entity("e-ada") == {"ada", "bob"}
    assert await by_entity("e-bob") == set()
    assert ingest.indexer.stats.upserted == embedded  # re-stamped, not re-embedded
    hit = (await search(bus, "capital call notice", filters={"entity_ids": ["e-ada"]})).hits[0]
    assert hit.entity_ids == ["e-ada"]

    # An older state of e-bob arriving late changes nothing.
    await publish(
        bus,
        event(
            "entity",
            "upserted",
            {"entities": [entity_state("e-bob", [("contact", "c-bob")], version=1)]},
            version=1,
        ),
    )
    await settle(ingest)
    assert await by_entity("e-bob") == set()
