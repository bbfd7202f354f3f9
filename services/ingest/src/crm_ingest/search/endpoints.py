"""The request-reply API of ingest (crm_common.contracts.search), served once the model is loaded
and the store open:

    search.query     dense, sparse, hybrid or lexical search, one hit per record
    search.status    the index: model, points, what is still to write, each consumer's backlog
    search.reindex   wipe the collection and the ledger of CRM records, then rebuild
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any, Protocol

import nats.errors
from nats.aio.client import Client
from nats.js.errors import Error as JetStreamError
from nats.js.errors import NotFoundError

from crm_common.bus.service import Endpoint, ServiceUnreachable, call
from crm_common.bus.streams import CRM
from crm_common.contracts.search import (
    SEARCH_QUERY,
    SEARCH_REINDEX,
    SEARCH_STATUS,
    IngestStatus,
    ReindexRequest,
    ReindexResponse,
    SearchRequest,
    SearchResponse,
    StatusRequest,
)
from crm_ingest.ledger import status as ledger_status
from crm_ingest.ledger.handlers import consumer_name
from crm_ingest.search.errors import IndexNotReady

if TYPE_CHECKING:
    from crm_common.bus.connection import Bus
    from crm_common.bus.consumer import ConsumerRunner
    from crm_common.db import Database
    from crm_ingest.embeddings.base import Embedder
    from crm_ingest.indexer.service import Indexer
    from crm_ingest.search.service import Searcher
    from crm_ingest.settings import Settings
    from crm_ingest.sources.registry import Registry
    from crm_ingest.store.base import CollectionSpec, VectorStore

logger = logging.getLogger(__name__)


class Ingest(Protocol):
    """What the endpoints ask of the running service (`process.IngestService`), which passes
    itself in: the process sits above every domain, so its endpoints must not import it."""

    settings: Settings
    db: Database
    embedder: Embedder | None
    store: VectorStore
    registry: Registry
    bus: Bus | None
    ready: asyncio.Event
    reindexing: asyncio.Lock
    runners: dict[str, ConsumerRunner]
    indexer: Indexer | None
    searcher: Searcher | None

    @property
    def spec(self) -> CollectionSpec: ...

    def start_workers(self, *, names: set[str] | None = None) -> None: ...

    async def stop_workers(self, *, names: set[str] | None = None) -> None: ...


def endpoints(ingest: Ingest) -> list[Endpoint[Any, Any]]:
    async def search(request: SearchRequest) -> SearchResponse:
        searcher = ingest.searcher
        if searcher is None or ingest.reindexing.locked():
            raise IndexNotReady("the index is being rebuilt" if searcher else "starting up")
        return await asyncio.to_thread(searcher.search, request)

    async def answer_status(_: StatusRequest) -> IngestStatus:
        return await status(ingest)

    async def answer_reindex(request: ReindexRequest) -> ReindexResponse:
        return await reindex(ingest, request)

    return [
        Endpoint(
            name="query",
            subject=SEARCH_QUERY,
            request=SearchRequest,
            response=SearchResponse,
            handler=search,
            description="Dense, sparse, hybrid or lexical search, one hit per record",
        ),
        Endpoint(
            name="status",
            subject=SEARCH_STATUS,
            request=StatusRequest,
            response=IngestStatus,
            handler=answer_status,
            description="The index: model, points, what is still to write",
        ),
        Endpoint(
            name="reindex",
            subject=SEARCH_REINDEX,
            request=ReindexRequest,
            response=ReindexResponse,
            handler=answer_reindex,
            description="Wipe the collection and rebuild it (replay or snapshot)",
        ),
    ]


async def answer_once(nc: Client) -> None:
    """Ask our own `search.status` until it answers: only then does a caller find the
    endpoints. Measured here, a request sent right after the subscriptions were flushed
    still found no responders about one time in three."""
    for _ in range(250):
        try:
            await call(nc, SEARCH_STATUS, StatusRequest(), IngestStatus, timeout=5)
            return
        except ServiceUnreachable:
            await asyncio.sleep(0.02)
    logger.warning("search.status did not answer its own request; starting anyway")


async def status(ingest: Ingest) -> IngestStatus:
    # Consumers first: a message acked is one whose ledger writes are committed, so the
    # counts read after it include them (no "settled" between a commit and its ack).
    consumers: dict[str, int] = {}
    if ingest.bus is not None:
        for name, runner in list(ingest.runners.items()):
            try:
                state = await ingest.bus.js.consumer_info(runner.spec.stream, name)
            except (nats.errors.Error, JetStreamError):
                consumers[name] = -1
                continue
            consumers[name] = int(state.num_pending or 0) + int(state.num_ack_pending or 0)
    chunks = await asyncio.to_thread(ledger_status.chunk_counts, ingest.db)
    info = await asyncio.to_thread(ingest.store.info)
    indexer = ingest.indexer
    stats = indexer.stats if indexer is not None else None
    return IngestStatus(
        ready=ingest.ready.is_set() and not info.mismatch,
        model=ingest.embedder.spec.name if ingest.embedder else None,
        store=info.kind,
        collection=ingest.settings.collection,
        points=info.points,
        mismatch=info.mismatch,
        generation=info.generation,
        unoptimized_writes=info.unoptimized_writes,
        is_optimizing=info.is_optimizing,
        last_build_seconds=info.extra.get("last_build_seconds"),
        chunks=chunks,
        indexer={}
        if stats is None
        else {
            "passes": stats.passes,
            "upserted": stats.upserted,
            "deleted": stats.deleted,
            "stamped": stats.stamped,
            "failures": stats.failures,
            "embed_seconds": round(stats.embed_seconds, 3),
            "last_error": stats.last_error,
            "is_leader": indexer.is_leader if indexer else False,
        },
        consumers=consumers,
    )


async def reindex(ingest: Ingest, request: ReindexRequest) -> ReindexResponse:
    """Wipe the collection and the ledger of CRM records, then rebuild: with `replay`, by
    rewinding the consumers to the start of their streams; without, from the next snapshot
    crm-api publishes. Canonical entities (resolver's) are kept: they are not text."""
    bus = ingest.bus
    assert bus is not None
    streams = ingest.registry.streams()
    async with ingest.reindexing:
        names = {consumer_name(stream) for stream in streams}
        await ingest.stop_workers(names=names)
        try:
            await asyncio.to_thread(ingest.store.recreate, ingest.spec)
            await asyncio.to_thread(ledger_status.forget_everything, ingest.db, sorted(names))
            rewound = []
            # Only crm-api publishes snapshots: the other streams (gmail-sync's) are replayed.
            for stream in streams:
                if request.replay or stream != CRM.name:
                    with contextlib.suppress(NotFoundError):
                        await bus.js.delete_consumer(stream, consumer_name(stream))
                    rewound.append(consumer_name(stream))
        finally:
            ingest.start_workers(names=names)
    logger.info("reindex: collection recreated, consumers rewound: %s", rewound or "none")
    return ReindexResponse(
        collection=ingest.settings.collection,
        model=ingest.spec.model,
        replay=request.replay,
        consumers_rewound=rewound,
    )
