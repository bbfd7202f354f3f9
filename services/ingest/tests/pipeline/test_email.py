"""gmail-sync's messages in search, end to end: the Gmail fake as Google, a real gmail-sync (its
sync engine, outbox relay and `gmail.*` endpoints), a real resolver to match against, real
nats-server, and ingest with minilm on Qdrant Edge.

A matched message is searchable with its citation and its entity; an unmatched one never reaches
the store; a redelivered or replayed event changes nothing; marking a message private retracts it;
and while gmail-sync cannot answer, its events wait rather than being dropped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nats.errors
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from gmail_sync_helpers import (
    KNOWN,
    SERVICE_ACCOUNT,
    STRANGER,
    RunningResolver,
    by_message_id,
    enroll_team,
    events,
    gmail_settings,
    known_contact,
    make_engine,
    migrate,
    start_resolver,
    sync,
    write_key_file,
)
from ingest_helpers import ingest_settings, make_store, publish, running_ingest, search, settle
from sqlalchemy import select

from crm_common.bus.connection import Bus
from crm_common.bus.service import call
from crm_common.contracts import gmail as contract
from crm_common.contracts.search import SearchFilters
from crm_common.db import Database
from crm_common.events import CloudEvent
from crm_common.natsd import NatsServer
from crm_common.runtime import ServiceRuntime
from crm_common.testing import eventually
from crm_ingest.embeddings.minilm import MiniLMEmbedder
from crm_ingest.ledger.models import chunk, record
from crm_ingest.store.base import VectorStore
from gmail_fake import GoogleFake
from gmail_fake.testing import GMAIL_READONLY, make_message
from gmail_sync.app import Services, build_runtime
from gmail_sync.settings import Settings

pytestmark = pytest.mark.anyio

ANN = "ann@fund.example"
MATCHED = "<sidecar@northpeak.example>"
UNMATCHED = "<lake@elsewhere.example>"
UNLINKED = "<call@northpeak.example>"


@pytest.fixture
async def resolver(
    tmp_path: Path, nats_server: NatsServer, bus: Bus
) -> AsyncIterator[RunningResolver]:
    running = await start_resolver(tmp_path, nats_server.url, bus)
    try:
        yield running
    finally:
        await running.runtime.stop()


@pytest.fixture
def gmail_db(tmp_path: Path) -> Database:
    return migrate(f"sqlite:///{tmp_path / 'gmail-sync.db'}")


@pytest.fixture
def gmail_sync_settings(
    tmp_path: Path, gmail_db: Database, nats_server: NatsServer, google_fake: GoogleFake
) -> Settings:
    key = google_fake.add_service_account(
        SERVICE_ACCOUNT,
        scopes=[GMAIL_READONLY],
        private_key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )
    return gmail_settings(
        tmp_path,
        str(gmail_db.engine.url),
        nats_server.url,
        google_fake,
        service_account_file=write_key_file(tmp_path, key),
        sync_interval_seconds=3600,
    )


async def start_gmail_sync(settings: Settings, db: Database, bus: Bus) -> ServiceRuntime:
    runtime = build_runtime(settings, db, Services())
    await runtime.start()

    async def serving() -> bool:
        try:
            await bus.nc.request("$SRV.PING.gmail", b"", timeout=1)
        except (nats.errors.NoRespondersError, nats.errors.TimeoutError):
            return False
        return True

    await eventually(serving, what="gmail-sync answering", within=15, interval=0.02)
    return runtime


def points(store: VectorStore) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    offset: str | None = None
    while True:
        page, offset = store.scroll(limit=100, offset=offset)
        found.extend({"id": hit.id} | hit.payload for hit in page)
        if offset is None:
            return sorted(found, key=lambda p: p["id"])


def ledger(db: Database) -> list[tuple[Any, ...]]:
    with db.session() as session:
        records = session.execute(select(record).order_by(record.c.source_id)).all()
        chunks = session.execute(select(chunk).order_by(chunk.c.point_id)).all()
        return [tuple(r) for r in records] + [tuple(c) for c in chunks]


async def redelivered(bus: Bus) -> int:
    info = await bus.js.consumer_info("GMAIL", "ingest-gmail")
    return int(info.num_redelivered or 0)


async def test_matched_mail_is_searchable_with_its_citation_and_private_mail_is_gone(
    tmp_path: Path,
    bus: Bus,
    nats_server: NatsServer,
    database_url: str,
    minilm: MiniLMEmbedder,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    gmail_db: Database,
    gmail_sync_settings: Settings,
) -> None:
    alice = await known_contact(resolver)
    google_fake.add_message(
        ANN,
        make_message(
            subject="Northpeak sidecar",
            body="The co-investment sidecar closes in March; Northpeak takes ten million.\n",
            message_id=MATCHED,
        ),
    )
    google_fake.add_message(
        ANN,
        make_message(
            subject="Holiday",
            sender=STRANGER,
            body="Our family vacation plans at Lake Como, keep them to yourself.\n",
            message_id=UNMATCHED,
        ),
    )
    google_fake.add_message(
        ANN,
        make_message(
            subject="Capital call",
            body="The Fund III capital call lands on the first of June.\n",
            message_id=UNLINKED,
        ),
    )
    # The mailbox is synced before gmail-sync serves `gmail.messages.get`.
    ann = enroll_team(gmail_db)[ANN]
    await sync(make_engine(gmail_db, gmail_sync_settings, bus), ann)
    matched, unmatched = by_message_id(gmail_db, MATCHED), by_message_id(gmail_db, UNMATCHED)
    unlinked = by_message_id(gmail_db, UNLINKED)
    assert matched is not None
    assert unmatched is not None
    assert unlinked is not None
    published = {e.subject: e for e in events(gmail_db)}
    assert set(published) == {matched.id, unmatched.id, unlinked.id}

    store = make_store("edge", tmp_path)
    settings = ingest_settings(tmp_path, nats_server.url, database_url)
    async with running_ingest(settings, embedder=minilm, store=store) as ingest:
        for sent in published.values():  # as gmail-sync's relay publishes them
            await publish(bus, sent)
        # gmail-sync does not answer: the matched message's event is retried, not dropped.
        await eventually(lambda: redelivered(bus), what="a retried event", within=20)
        runtime = await start_gmail_sync(gmail_sync_settings, gmail_db, bus)
        try:
            await settle(ingest, 60)

            found = await search(bus, "co-investment sidecar closing")
            hit = found.hits[0]
            assert hit.citation.source_id == matched.id
            assert hit.citation.source_kind == "email_message"
            assert hit.citation.crm_path == f"/api/email/messages/{matched.id}"
            assert hit.citation.source_version == published[matched.id].version
            assert hit.citation.event_time == datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
            assert hit.type == "email"
            assert hit.title == "Northpeak sidecar"
            assert hit.entity_ids == [alice]
            assert hit.author_id == KNOWN
            assert "ten million" in hit.snippet
            for filters in (
                SearchFilters(entity_ids=[alice]),
                SearchFilters(types=["email"], source_kinds=["email_message"]),
                SearchFilters(author_ids=[KNOWN]),
            ):
                narrowed = await search(bus, "sidecar", filters=filters, mode="sparse")
                assert [h.citation.source_id for h in narrowed.hits] == [matched.id]
            other = SearchFilters(entity_ids=["someone-else"])
            assert (await search(bus, "sidecar", filters=other)).hits == []

            # The unmatched message reached neither the store nor the ledger.
            held = points(store)
            assert held
            assert {p["source_id"] for p in held} == {matched.id, unlinked.id}
            assert not any("Lake Como" in str(p) for p in held)
            assert (await search(bus, "family vacation Lake Como", mode="sparse")).hits == []
            assert all(unmatched.id not in str(row) for row in ledger(ingest.db))

            # Redelivered (a new stream message, the same event) and replayed (an older
            # version under a new event id): nothing changes.
            before = (points(store), ledger(ingest.db))
            again = published[matched.id]
            await bus.js.publish(again.type, again.to_bytes(), headers={"Nats-Msg-Id": "again"})
            replayed = CloudEvent(
                source=again.source,
                type=again.type,
                subject=again.subject,
                actor=again.actor,
                version=again.version,
                data=again.data,
            )
            await publish(bus, replayed)
            await settle(ingest, 30)
            assert (points(store), ledger(ingest.db)) == before

            # No longer linked (as after a split in the resolver): its chunks are retracted.
            update = published[unlinked.id]
            data = update.data | {"links": []}
            await publish(
                bus,
                CloudEvent(
                    source=update.source,
                    type="gmail.message.updated",
                    subject=update.subject,
                    actor=update.actor,
                    version=update.version + 1,
                    data=data,
                ),
            )
            await settle(ingest, 30)
            assert {p["source_id"] for p in points(store)} == {matched.id}
            assert (await search(bus, "capital call June", mode="sparse")).hits == []

            # Marked private: gmail-sync publishes its delete, and it is gone from search.
            await call(
                bus.nc,
                contract.SUBJECT_MARK_PRIVATE,
                contract.MarkPrivateRequest(id=matched.id, user_id="u-ann"),
                contract.GmailMessageData,
                timeout=10,
            )

            async def retracted() -> bool:
                await settle(ingest, 30)
                return store.count() == 0

            await eventually(retracted, what="the private message retracted", within=30)
            assert (await search(bus, "co-investment sidecar closing", mode="sparse")).hits == []
            mine = SearchFilters(entity_ids=[alice])
            assert (await search(bus, "sidecar", filters=mine)).hits == []
        finally:
            await runtime.stop()
