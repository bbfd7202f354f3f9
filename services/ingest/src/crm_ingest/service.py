"""The running ingest service: its model, store, consumers, indexer, index builder and the
`search.*` endpoints, started once the bus is connected and stopped in order.

    consumers   one durable pull consumer per stream the sources read (CRM today; GMAIL once a
                gmail source is registered), plus RESOLVER: they only write the ledger
    indexer     embeds and writes what the ledger says is pending (indexer/service.py)
    builder     Qdrant Edge only: builds the index in a child process when enough was written
    endpoints   search.query, search.status, search.reindex (request-reply, crm_common.bus.service)
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import subprocess
from typing import Any

import nats.errors
from nats.js.errors import Error as JetStreamError
from nats.js.errors import NotFoundError
from nats.micro.service import Service
from pydantic import BaseModel, Field

from crm_common.bus.connection import Bus
from crm_common.bus.consumer import ConsumerRunner, ConsumerSpec, Handler
from crm_common.bus.service import Endpoint, ServiceUnreachable, call, start_service
from crm_common.bus.streams import RESOLVER
from crm_common.contracts.search import SEARCH_QUERY, SearchRequest, SearchResponse
from crm_common.db import Database
from crm_ingest import __version__
from crm_ingest.chunking.service import Chunker
from crm_ingest.embeddings.base import Embedder
from crm_ingest.embeddings.bm25 import Bm25Params, SparseEncoder
from crm_ingest.embeddings.factory import load_embedder
from crm_ingest.entities import service as entities
from crm_ingest.indexer.service import Indexer
from crm_ingest.ledger import service as ledger
from crm_ingest.ledger import status as ledger_status
from crm_ingest.search.errors import IndexNotReady
from crm_ingest.search.service import Searcher
from crm_ingest.settings import Settings
from crm_ingest.sources.registry import Registry
from crm_ingest.store.base import CollectionSpec, StoreError, VectorStore
from crm_ingest.store.edge import EdgeStore
from crm_ingest.store.qdrant import QdrantStore

logger = logging.getLogger(__name__)

SEARCH_STATUS = "search.status"
SEARCH_REINDEX = "search.reindex"
RESOLVER_CONSUMER = "ingest-resolver"
ACTIONS = ("created", "updated", "deleted", "restored", "purged", "snapshot")
RESOLVER_EVENTS = ("resolver.entity.upserted", "resolver.entity.merged", "resolver.entity.split")


def consumer_name(stream: str) -> str:
    return f"ingest-{stream.lower()}"


class StatusRequest(BaseModel):
    pass


class ReindexRequest(BaseModel):
    replay: bool = Field(
        default=True,
        description="rewind the consumers to the start of their streams; false: keep their "
        "position and rebuild from the next crm-api snapshot",
    )


class ReindexResponse(BaseModel):
    collection: str
    model: str
    replay: bool
    consumers_rewound: list[str]


class IngestStatus(BaseModel):
    ready: bool
    model: str | None
    store: str
    collection: str
    points: int
    mismatch: str | None
    generation: int
    unoptimized_writes: int
    is_optimizing: bool
    last_build_seconds: float | None
    chunks: dict[str, int]
    indexer: dict[str, Any]
    consumers: dict[str, int] = Field(description="messages each consumer has yet to handle")


def build_store(settings: Settings) -> VectorStore:
    if settings.qdrant_url:
        key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        return QdrantStore.connect(settings.qdrant_url, api_key=key, collection=settings.collection)
    return EdgeStore(settings.store_dir, optimize_threshold=settings.optimize_threshold)


def collection_spec(embedder: Embedder, sparse: SparseEncoder) -> CollectionSpec:
    spec = embedder.spec
    return CollectionSpec(
        model=spec.name,
        dim=spec.dim,
        has_lexical=spec.has_lexical,
        sparse=sparse.params.signature,
        model_id=spec.model_id,
    )


def chunk_tokens(settings: Settings, embedder: Embedder) -> int:
    limit = min(embedder.spec.max_tokens, 512)
    return min(settings.chunk_tokens, embedder.spec.max_tokens) if settings.chunk_tokens else limit


class IngestService:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        embedder: Embedder | None = None,
        store: VectorStore | None = None,
        registry: Registry | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.embedder = embedder
        self.store = store or build_store(settings)
        self.registry = registry or Registry()
        self.sparse = SparseEncoder(Bm25Params(avg_len=settings.bm25_avg_len))
        self.bus: Bus | None = None
        self.ready = asyncio.Event()
        self.runners: dict[str, ConsumerRunner] = {}
        self.indexer: Indexer | None = None
        self.searcher: Searcher | None = None
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._service: Service | None = None
        self._stopping = asyncio.Event()
        self._reindexing = asyncio.Lock()
        self._chunker: Chunker | None = None
        self.load_error: str | None = None

    # -- the Worker protocol of crm_common.runtime -------------------------------------------------

    def bind(self, bus: Bus) -> IngestService:
        self.bus = bus
        return self

    async def run(self) -> None:
        assert self.bus is not None, "bind(bus) first"
        try:
            await self._prepare()
        except (OSError, RuntimeError, ValueError, StoreError) as exc:
            self.load_error = f"{type(exc).__name__}: {exc}"
            logger.exception("ingest cannot start")
            raise
        self._start_workers()
        self._service = await start_service(
            self.bus.nc,
            name="search",
            version=__version__,
            description="Hybrid search over the CRM's text, with citations",
            endpoints=self._endpoints(),
        )
        await self._answer_once()
        self.ready.set()
        logger.info(
            "ingest ready: model %s, %s store, %d points",
            self.spec.model,
            self.store.kind,
            (await asyncio.to_thread(self.store.info)).points,
        )
        await self._stopping.wait()

    async def stop(self) -> None:
        self._stopping.set()
        if self._service is not None:
            # With the bus gone, unsubscribing fails; there is nothing left to stop then.
            with contextlib.suppress(nats.errors.Error, OSError):
                await self._service.stop()
        await self._stop_workers()
        await asyncio.to_thread(self.store.close)

    # -- assembly ----------------------------------------------------------------------------------

    async def _prepare(self) -> None:
        if self.embedder is None:
            self.embedder = await asyncio.to_thread(load_embedder, self.settings)
        embedder = self.embedder
        self._chunker = Chunker(
            count_tokens=embedder.count_tokens,
            max_tokens=chunk_tokens(self.settings, embedder),
            overlap_tokens=self.settings.chunk_overlap_tokens,
        )
        await asyncio.to_thread(self.store.open, self.spec)
        self.searcher = Searcher(
            db=self.db, store=self.store, embedder=embedder, sparse=self.sparse
        )

    async def _answer_once(self) -> None:
        """Ask our own `search.status` until it answers: only then does a caller find the
        endpoints. Measured here, a request sent right after the subscriptions were flushed
        still found no responders about one time in three."""
        assert self.bus is not None
        for _ in range(250):
            try:
                await call(self.bus.nc, SEARCH_STATUS, StatusRequest(), IngestStatus, timeout=5)
                return
            except ServiceUnreachable:
                await asyncio.sleep(0.02)
        logger.warning("search.status did not answer its own request; starting anyway")

    @property
    def spec(self) -> CollectionSpec:
        assert self.embedder is not None
        return collection_spec(self.embedder, self.sparse)

    def consumer_specs(self) -> list[ConsumerSpec]:
        assert self._chunker is not None
        specs = []
        for stream, sources in self.registry.streams().items():
            handlers: dict[str, Handler] = {}
            for source in sources:
                handle = functools.partial(ledger.apply_event, source=source, chunker=self._chunker)
                handlers.update({f"{source.events}.{action}": handle for action in ACTIONS})
            specs.append(
                ConsumerSpec(
                    name=consumer_name(stream),
                    stream=stream,
                    filter_subjects=[s for source in sources for s in source.subjects],
                    handlers=handlers,
                    batch_size=self.settings.consumer_batch_size,
                    fetch_timeout=self.settings.fetch_wait_seconds,
                )
            )
        specs.append(
            ConsumerSpec(
                name=RESOLVER_CONSUMER,
                stream=RESOLVER.name,
                filter_subjects=list(RESOLVER.subjects),
                handlers=dict.fromkeys(RESOLVER_EVENTS, entities.apply_event),
                batch_size=self.settings.consumer_batch_size,
                fetch_timeout=self.settings.fetch_wait_seconds,
            )
        )
        return specs

    def _start_workers(self, *, names: set[str] | None = None) -> None:
        assert self.bus is not None
        assert self.embedder is not None
        for spec in self.consumer_specs():
            if names is not None and spec.name not in names:
                continue
            runner = ConsumerRunner(spec, bus=self.bus, db=self.db)
            self.runners[spec.name] = runner
            self._tasks[spec.name] = asyncio.create_task(runner.run(), name=spec.name)
        self.indexer = Indexer(
            db=self.db,
            store=self.store,
            embedder=self.embedder,
            sparse=self.sparse,
            registry=self.registry,
            batch_size=self.settings.index_batch_size,
        )
        self._tasks["indexer"] = asyncio.create_task(self.indexer.run(), name="indexer")
        if isinstance(self.store, EdgeStore):
            self._tasks["builder"] = asyncio.create_task(
                self._build_index_when_due(), name="builder"
            )

    async def _stop_workers(self, *, names: set[str] | None = None) -> None:
        stopping = [r.stop() for n, r in self.runners.items() if names is None or n in names]
        if self.indexer is not None:
            stopping.append(self.indexer.stop())
        await asyncio.gather(*stopping, return_exceptions=True)
        builder = self._tasks.pop("builder", None)
        if builder is not None:
            builder.cancel()
        for name in list(self._tasks):
            if name == "indexer" or names is None or name in names:
                task = self._tasks.pop(name)
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(task, 30)
        if builder is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await builder
        for name in list(self.runners):
            if names is None or name in names:
                del self.runners[name]

    async def _build_index_when_due(self) -> None:
        store = self.store
        assert isinstance(store, EdgeStore)
        while True:
            await asyncio.sleep(self.settings.optimize_check_seconds)
            if not store.needs_index_build:
                continue
            try:
                await store.build_index()
            except (StoreError, OSError, subprocess.CalledProcessError) as exc:
                logger.warning("index build failed, will retry: %s", exc)
                await asyncio.sleep(self.settings.optimize_check_seconds * 6)

    # -- endpoints ---------------------------------------------------------------------------------

    def _endpoints(self) -> list[Endpoint[Any, Any]]:
        return [
            Endpoint(
                name="query",
                subject=SEARCH_QUERY,
                request=SearchRequest,
                response=SearchResponse,
                handler=self.search,
                description="Dense, sparse, hybrid or lexical search, one hit per record",
            ),
            Endpoint(
                name="status",
                subject=SEARCH_STATUS,
                request=StatusRequest,
                response=IngestStatus,
                handler=self.status,
                description="The index: model, points, what is still to write",
            ),
            Endpoint(
                name="reindex",
                subject=SEARCH_REINDEX,
                request=ReindexRequest,
                response=ReindexResponse,
                handler=self.reindex,
                description="Wipe the collection and rebuild it (replay or snapshot)",
            ),
        ]

    async def search(self, request: SearchRequest) -> SearchResponse:
        if self.searcher is None or self._reindexing.locked():
            raise IndexNotReady("the index is being rebuilt" if self.searcher else "starting up")
        return await asyncio.to_thread(self.searcher.search, request)

    async def status(self, _: StatusRequest | None = None) -> IngestStatus:
        # Consumers first: a message acked is one whose ledger writes are committed, so the
        # counts read after it include them (no "settled" between a commit and its ack).
        consumers: dict[str, int] = {}
        if self.bus is not None:
            for name, runner in list(self.runners.items()):
                try:
                    state = await self.bus.js.consumer_info(runner.spec.stream, name)
                except (nats.errors.Error, JetStreamError):
                    consumers[name] = -1
                    continue
                consumers[name] = int(state.num_pending or 0) + int(state.num_ack_pending or 0)
        chunks = await asyncio.to_thread(ledger_status.chunk_counts, self.db)
        info = await asyncio.to_thread(self.store.info)
        stats = self.indexer.stats if self.indexer is not None else None
        return IngestStatus(
            ready=self.ready.is_set() and not info.mismatch,
            model=self.embedder.spec.name if self.embedder else None,
            store=info.kind,
            collection=self.settings.collection,
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
                "is_leader": self.indexer.is_leader if self.indexer else False,
            },
            consumers=consumers,
        )

    async def reindex(self, request: ReindexRequest) -> ReindexResponse:
        """Wipe the collection and the ledger of CRM records, then rebuild: with `replay`, by
        rewinding the consumers to the start of their streams; without, from the next snapshot
        crm-api publishes. Canonical entities (resolver's) are kept: they are not text."""
        assert self.bus is not None
        async with self._reindexing:
            names = {consumer_name(stream) for stream in self.registry.streams()}
            await self._stop_workers(names=names)
            try:
                await asyncio.to_thread(self.store.recreate, self.spec)
                await asyncio.to_thread(ledger_status.forget_everything, self.db, sorted(names))
                rewound = []
                if request.replay:
                    for stream in self.registry.streams():
                        with contextlib.suppress(NotFoundError):
                            await self.bus.js.delete_consumer(stream, consumer_name(stream))
                        rewound.append(consumer_name(stream))
            finally:
                self._start_workers(names=names)
        logger.info("reindex: collection recreated, consumers rewound: %s", rewound or "none")
        return ReindexResponse(
            collection=self.settings.collection,
            model=self.spec.model,
            replay=request.replay,
            consumers_rewound=rewound,
        )

    # -- health ------------------------------------------------------------------------------------

    async def check_index(self) -> None:
        if self.load_error:
            raise RuntimeError(self.load_error)
        if not self.ready.is_set():
            raise RuntimeError("loading the embedding model and opening the store")
        if self.store.mismatch:
            raise RuntimeError(self.store.mismatch)
