"""What a search returns: hybrid finds what only one mode finds, filters and date ranges hold,
one hit per record, pages, and bad requests get a 422 problem."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from ingest_helpers import (
    communication,
    contact,
    event,
    ingest_settings,
    opportunity,
    publish,
    running_ingest,
    search,
    settle,
)

from crm_common.bus.connection import Bus
from crm_common.bus.service import ServiceCallError, call
from crm_common.contracts.search import SearchResponse
from crm_common.natsd import NatsServer
from crm_ingest.embeddings.minilm import MiniLMEmbedder
from crm_ingest.process import IngestService

pytestmark = pytest.mark.anyio

PARAPHRASE = (
    "Their year-end filings are running late; the accountants expect to send the K-1 documents "
    "in April."
)
RARE = "Quarterly golf outing with the Halvorsen family office; nobody talked business."
OTHERS = [
    "Capital call notice for Fund IV went out; the wire is due in ten days.",
    "Discussed the side letter and an MFN clause with their counsel.",
    "Annual meeting logistics: hotel block in Boston, dinner on Thursday.",
    "Co-investment interest in the climate deal; they want pro-rata rights.",
]


def ids(response: SearchResponse) -> list[str]:
    return [hit.citation.source_id for hit in response.hits]


@pytest.fixture
async def ingest(
    tmp_path: Path, nats_server: NatsServer, bus: Bus, minilm: MiniLMEmbedder
) -> AsyncIterator[IngestService]:
    settings = ingest_settings(tmp_path, nats_server.url, f"sqlite:///{tmp_path / 'ingest.db'}")
    async with running_ingest(settings, embedder=minilm) as running:
        yield running


async def test_hybrid_returns_hits_that_only_dense_or_only_sparse_would_find(
    ingest: IngestService, bus: Bus
) -> None:
    paraphrase = communication("paraphrase", subject="Tax documents", body=PARAPHRASE)
    rare = communication("rare", subject="Golf", body=RARE)
    await publish(bus, event("communication", "created", paraphrase, version=1))
    await publish(bus, event("communication", "created", rare, version=1))
    for n, body in enumerate(OTHERS):
        await publish(
            bus, event("communication", "created", communication(f"o{n}", body=body), version=1)
        )
    await settle(ingest)
    question = "When will Halvorsen receive their tax forms?"
    dense = ids(await search(bus, question, mode="dense", top_k=1))
    sparse = ids(await search(bus, question, mode="sparse", top_k=1))
    hybrid = ids(await search(bus, question, mode="hybrid", top_k=2))
    assert dense == ["paraphrase"]  # no word in common, same meaning
    assert sparse == ["rare"]  # the name matches, the meaning does not
    assert set(hybrid) == {"paraphrase", "rare"}


async def test_filters_and_date_ranges_hold(ingest: IngestService, bus: Bus) -> None:
    body = "Capital call timing for the new fund, and the wire instructions for it."
    records = [
        communication(
            "jan",
            body=body,
            type="call",
            contact_id="c-ada",
            organization_id="o-1",
            opportunity_id="opp-1",
            occurred_at="2026-01-10T10:00:00+00:00",
        ),
        communication(
            "jun",
            body=body,
            type="meeting",
            contact_id="c-bob",
            organization_id="o-2",
            occurred_at="2026-06-10T10:00:00+00:00",
            created_by="u-bob",
        ),
        communication(
            "sep",
            body=body,
            type="email",
            contact_id="c-cy",
            attendee_ids=["c-ada"],
            occurred_at="2026-09-10T10:00:00+00:00",
        ),
    ]
    for state in records:
        await publish(bus, event("communication", "created", state, version=1))
    await publish(
        bus,
        event(
            "opportunity",
            "created",
            opportunity("opp-1", fund_id="f-4", organization_id="o-1"),
            version=1,
        ),
    )
    await publish(
        bus, event("contact", "created", contact("c-ada", "Ada", "Lovelace", notes=body), version=1)
    )
    await settle(ingest)

    async def found(**filters: object) -> set[str]:
        return set(ids(await search(bus, "capital call timing", filters=filters, top_k=20)))

    assert await found() == {"jan", "jun", "sep", "c-ada"}  # the opportunity has no prose
    assert await found(contact_ids=["c-ada"]) == {"jan", "sep", "c-ada"}
    assert await found(organization_ids=["o-2"]) == {"jun"}
    assert await found(fund_ids=["f-4"]) == {"jan"}
    assert await found(types=["meeting", "email"]) == {"jun", "sep"}
    assert await found(author_ids=["u-bob"]) == {"jun"}
    assert await found(source_kinds=["contact"]) == {"c-ada"}
    assert await found(source_kinds=["communication"], since="2026-05-01T00:00:00Z") == {
        "jun",
        "sep",
    }
    assert await found(since="2026-05-01T00:00:00Z", until="2026-07-01T00:00:00Z") == {"jun"}
    assert await found(until="2026-01-10T10:00:00Z") == set()  # until is exclusive


async def test_a_long_body_is_several_chunks_but_one_hit(ingest: IngestService, bus: Bus) -> None:
    filler = " ".join(
        f"Paragraph {n}: we went through the portfolio construction and reserves again."
        for n in range(60)
    )
    body = filler + "\n\nFinally they asked about the Zyxwell secondary sale of their stake."
    await publish(
        bus, event("communication", "created", communication("long", body=body), version=1)
    )
    await publish(
        bus, event("communication", "created", communication("short", body=OTHERS[0]), version=1)
    )
    await settle(ingest)
    status = await ingest.status()
    assert status.chunks["indexed"] > 3
    found = await search(bus, "portfolio construction reserves Zyxwell secondary", top_k=10)
    assert ids(found).count("long") == 1
    assert "Zyxwell" in (await search(bus, "Zyxwell secondary sale", mode="sparse")).hits[0].snippet


async def test_pages_follow_the_cursor_without_repeating_a_record(
    ingest: IngestService, bus: Bus
) -> None:
    for n in range(7):
        body = f"Capital call {n} for the fund; the LP asked about timing and the wire."
        await publish(
            bus, event("communication", "created", communication(f"r{n}", body=body), version=1)
        )
    await settle(ingest)
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        page = await search(bus, "capital call timing", top_k=3, cursor=cursor)
        seen += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == [f"r{n}" for n in range(7)]


async def test_a_bad_request_is_a_422_problem(ingest: IngestService, bus: Bus) -> None:
    from crm_common.contracts.search import SearchRequest

    with pytest.raises(ServiceCallError) as refused:
        await call(
            bus.nc,
            "search.query",
            SearchRequest(query="x", cursor="not-a-cursor"),
            SearchResponse,
        )
    assert refused.value.status == 422
    with pytest.raises(ServiceCallError) as lexical:
        await search(bus, "x", mode="lexical")
    assert lexical.value.status == 422
    assert "bge-m3" in (lexical.value.problem.detail or "")
    reply = await bus.nc.request("search.query", b'{"query": "", "top_k": 500}', timeout=5)
    assert reply.headers is not None
    assert reply.headers["Nats-Service-Error-Code"] == "422"
