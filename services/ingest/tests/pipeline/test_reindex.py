"""`reindex` wipes the collection and rebuilds it, from a replay of the stream or from a
snapshot, to the same search results; a collection built by another model is refused until then."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from ingest_helpers import (
    communication,
    contact,
    entity_state,
    event,
    ingest_settings,
    publish,
    running_ingest,
    search,
    settle,
)

from crm_common.bus.connection import Bus
from crm_common.bus.service import ServiceCallError, call
from crm_common.contracts.search import ReindexRequest, ReindexResponse
from crm_common.natsd import NatsServer
from crm_ingest import cli
from crm_ingest.embeddings.bge_m3 import BgeM3Embedder
from crm_ingest.embeddings.minilm import MiniLMEmbedder
from crm_ingest.process import IngestService

pytestmark = pytest.mark.anyio

QUERIES = ["capital call timing", "side letter MFN", "K-1 delays", "co-investment"]


async def fill(bus: Bus) -> None:
    bodies = {
        "a": "The CIO asked about capital call timing for Fund IV.",
        "b": "Counsel wants a side letter with an MFN clause.",
        "c": "Their K-1 delays are a sore point; they want them by March.",
        "d": "Co-investment rights in the climate deal came up again.",
    }
    for record_id, body in bodies.items():
        state = communication(record_id, body=body, contact_id="c-ada")
        await publish(bus, event("communication", "created", state, version=1))
        edited = state | {"version": 2, "body": body + " Follow up next week."}
        await publish(bus, event("communication", "updated", edited, version=2))
    await publish(
        bus,
        event(
            "contact",
            "created",
            contact("c-ada", "Ada", "Lovelace", notes="Prefers calls on Fridays."),
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


async def results(bus: Bus) -> list[list[tuple[str, int, list[str]]]]:
    found = []
    for query in QUERIES:
        response = await search(bus, query, top_k=5)
        found.append(
            [(h.citation.source_id, h.citation.source_version, h.entity_ids) for h in response.hits]
        )
    return found


async def reindex(bus: Bus, *, replay: bool) -> ReindexResponse:
    return await call(
        bus.nc, "search.reindex", ReindexRequest(replay=replay), ReindexResponse, timeout=60
    )


async def test_reindex_after_wiping_restores_the_same_results_from_a_replay(
    tmp_path: Path, nats_server: NatsServer, bus: Bus, database_url: str, minilm: MiniLMEmbedder
) -> None:
    settings = ingest_settings(tmp_path, nats_server.url, database_url)
    async with running_ingest(settings, embedder=minilm) as ingest:
        await fill(bus)
        await settle(ingest)
        before = await results(bus)
        assert all(before)
        answer = await reindex(bus, replay=True)
        assert answer.consumers_rewound == ["ingest-crm", "ingest-gmail"]
        await settle(ingest)
        assert await results(bus) == before
        assert (await ingest.status()).generation >= 2


async def test_reindex_with_the_service_stopped_rebuilds_when_it_starts(
    tmp_path: Path, nats_server: NatsServer, bus: Bus, minilm: MiniLMEmbedder
) -> None:
    settings = ingest_settings(tmp_path, nats_server.url, f"sqlite:///{tmp_path / 'ingest.db'}")
    async with running_ingest(settings, embedder=minilm) as ingest:
        await fill(bus)
        await settle(ingest)
        before = await results(bus)
    args = argparse.Namespace(no_replay=False, wait=False, timeout=60.0)
    assert await cli._reindex(args, settings) == 0
    assert not (tmp_path / "qdrant" / "crm_chunks").exists()
    async with running_ingest(settings, embedder=minilm) as ingest:
        await settle(ingest)
        assert await results(bus) == before


async def test_reindex_without_replay_rebuilds_from_the_next_snapshot(
    tmp_path: Path, nats_server: NatsServer, bus: Bus, minilm: MiniLMEmbedder
) -> None:
    settings = ingest_settings(tmp_path, nats_server.url, f"sqlite:///{tmp_path / 'ingest.db'}")
    async with running_ingest(settings, embedder=minilm) as ingest:
        state = communication("a", body="The CIO asked about capital call timing.")
        await publish(bus, event("communication", "created", state, version=1))
        await settle(ingest)
        await reindex(bus, replay=False)
        await settle(ingest)
        assert (await search(bus, "capital call timing")).hits == []
        snapshot = event("communication", "snapshot", state, version=1)
        await publish(bus, snapshot)
        await settle(ingest)
        assert [h.citation.source_id for h in (await search(bus, "capital call timing")).hits] == [
            "a"
        ]


async def test_a_collection_of_another_model_is_refused_until_reindexed(
    tmp_path: Path,
    nats_server: NatsServer,
    bus: Bus,
    minilm: MiniLMEmbedder,
    bge_m3: BgeM3Embedder,
) -> None:
    settings = ingest_settings(tmp_path, nats_server.url, f"sqlite:///{tmp_path / 'ingest.db'}")
    async with running_ingest(settings, embedder=bge_m3) as ingest:
        await publish(
            bus,
            event(
                "communication",
                "created",
                communication("a", body="Capital call timing."),
                version=1,
            ),
        )
        await settle(ingest)
        assert (await ingest.status()).model == "bge-m3"
    async with running_ingest(settings, embedder=minilm) as ingest:
        status = await ingest.status()
        assert status.mismatch is not None
        assert not status.ready
        with pytest.raises(ServiceCallError) as refused:
            await search(bus, "capital call")
        assert refused.value.status == 503
        await reindex(bus, replay=True)
        await settle(ingest)
        status = await ingest.status()
        assert status.mismatch is None
        assert status.points == 1
        found = await search(bus, "capital call")
        assert found.model == "minilm"
        assert [h.citation.source_id for h in found.hits] == ["a"]


async def test_bge_m3_searches_its_lexical_weights_and_fuses_them(
    tmp_path: Path, nats_server: NatsServer, bus: Bus, bge_m3: BgeM3Embedder
) -> None:
    settings = ingest_settings(tmp_path, nats_server.url, f"sqlite:///{tmp_path / 'ingest.db'}")
    async with running_ingest(settings, embedder=bge_m3) as ingest:
        for record_id, body in (
            ("a", "Capital call timing for Fund IV."),
            ("b", "Side letter with an MFN clause."),
        ):
            await publish(
                bus,
                event("communication", "created", communication(record_id, body=body), version=1),
            )
        await settle(ingest)
        lexical = await search(bus, "side letter MFN clause", mode="lexical")
        assert lexical.model == "bge-m3"
        assert lexical.hits
        hybrid = await search(bus, "side letter MFN clause", mode="hybrid")
        assert {h.citation.source_id for h in hybrid.hits} == {"a", "b"}
        assert [h.citation.source_id for h in (await search(bus, "MFN", mode="sparse")).hits] == [
            "b"
        ]


async def test_status_reports_the_index(ingest_status_service: IngestService) -> None:
    status = await ingest_status_service.status()
    assert status.store == "edge"
    assert status.model == "minilm"
    assert status.consumers == {"ingest-crm": 0, "ingest-gmail": 0, "ingest-resolver": 0}
    assert status.chunks["pending"] == 0


@pytest.fixture
async def ingest_status_service(
    tmp_path: Path, nats_server: NatsServer, minilm: MiniLMEmbedder
) -> AsyncIterator[IngestService]:
    settings = ingest_settings(tmp_path, nats_server.url, f"sqlite:///{tmp_path / 'ingest.db'}")
    async with running_ingest(settings, embedder=minilm) as ingest:
        await settle(ingest)
        yield ingest
