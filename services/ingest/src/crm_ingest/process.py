"""The running ingest service, as one runtime worker: it loads the model and opens the store,
then starts each domain's consumers (`ledger/handlers.py`, `entities/handlers.py`), the indexer,
the index builder and the `search.*` endpoints (`search/endpoints.py`), and stops them in order.

    consumers   they only write the ledger; a reindex stops and restarts the CRM's
    indexer     embeds and writes what the ledger says is pending (indexer/service.py)
    builder     Qdrant Edge only: builds the index in a child process when enough was written
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import subprocess

import nats.errors
from nats.micro.service import Service

from crm_common.bus.connection import Bus
from crm_common.bus.consumer import ConsumerRunner, ConsumerSpec
from crm_common.bus.service import start_service
from crm_common.contracts.search import IngestStatus
from crm_common.db import Database
from crm_ingest import __version__
from crm_ingest.chunking.service import Chunker, chunk_tokens
from crm_ingest.embeddings.base import Embedder
from crm_ingest.embeddings.bm25 import Bm25Params, SparseEncoder
from crm_ingest.embeddings.factory import load_embedder
from crm_ingest.entities import handlers as entities_handlers
from crm_ingest.indexer.service import Indexer
from crm_ingest.ledger import handlers as ledger_handlers
from crm_ingest.search import endpoints
from crm_ingest.search.service import Searcher
from crm_ingest.settings import Settings
from crm_ingest.sources.registry import Registry
from crm_ingest.store.base import CollectionSpec, StoreError, VectorStore
from crm_ingest.store.edge import EdgeStore
from crm_ingest.store.factory import build_store, collection_spec

logger = logging.getLogger(__name__)


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
        self.reindexing = asyncio.Lock()
        self.runners: dict[str, ConsumerRunner] = {}
        self.indexer: Indexer | None = None
        self.searcher: Searcher | None = None
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._service: Service | None = None
        self._stopping = asyncio.Event()
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
        self.start_workers()
        self._service = await start_service(
            self.bus.nc,
            name="search",
            version=__version__,
            description="Hybrid search over the CRM's text, with citations",
            endpoints=endpoints.endpoints(self),
        )
        await endpoints.answer_once(self.bus.nc)
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
        await self.stop_workers()
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

    @property
    def spec(self) -> CollectionSpec:
        assert self.embedder is not None
        return collection_spec(self.embedder, self.sparse)

    def consumer_specs(self) -> list[ConsumerSpec]:
        assert self._chunker is not None
        batch_size = self.settings.consumer_batch_size
        fetch_timeout = self.settings.fetch_wait_seconds
        assert self.bus is not None
        caller = ledger_handlers.BusCaller(
            self.bus.nc,
            loop=asyncio.get_running_loop(),
            timeout=self.settings.request_timeout_seconds,
        )
        return [
            *ledger_handlers.consumer_specs(
                self.registry,
                self._chunker,
                batch_size=batch_size,
                fetch_timeout=fetch_timeout,
                caller=caller,
            ),
            entities_handlers.consumer_spec(batch_size=batch_size, fetch_timeout=fetch_timeout),
        ]

    # -- workers -----------------------------------------------------------------------------------

    def start_workers(self, *, names: set[str] | None = None) -> None:
        """Start the consumers (those in `names`, or all), the indexer and the index builder."""
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

    async def stop_workers(self, *, names: set[str] | None = None) -> None:
        """Stop the consumers (those in `names`, or all), the indexer and the index builder."""
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

    # -- what it answers ---------------------------------------------------------------------------

    async def status(self) -> IngestStatus:
        return await endpoints.status(self)

    async def check_index(self) -> None:
        if self.load_error:
            raise RuntimeError(self.load_error)
        if not self.ready.is_set():
            raise RuntimeError("loading the embedding model and opening the store")
        if self.store.mismatch:
            raise RuntimeError(self.store.mismatch)
