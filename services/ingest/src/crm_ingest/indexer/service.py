"""The indexer: makes the store what the ledger says, in batches.

Each pass, in a worker thread (the event loop never embeds):

1. deletes the points of `deleting` chunks;
2. embeds up to `batch_size` `pending` chunks together — whatever events they came from — and
   upserts them with their payload as the ledger has it now;
3. re-stamps (set_payload, no embedding) the records whose payload changed;
4. flushes the store, then marks in the ledger what it wrote. Marks are compare-and-set on the
   content hash and the payload sequence, so a record that changed while it was being written is
   written again on the next pass.

A crash between the store write and the mark only means the next pass writes the same points
again: ids are deterministic and writes idempotent. One indexer per database writes at a time (a
lease, like the outbox relay's); the consumers of every replica only fill the ledger.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crm_common.db import Database
from crm_common.outbox import DatabaseLease
from crm_ingest.embeddings.base import Embedder
from crm_ingest.embeddings.bm25 import SparseEncoder
from crm_ingest.indexer.payloads import record_payloads
from crm_ingest.ledger import repository
from crm_ingest.ledger.service import WAKE_KEY
from crm_ingest.sources.registry import Registry
from crm_ingest.store.base import StoreError, StorePoint, VectorStore

logger = logging.getLogger(__name__)

_LEASE_KEY = 0x0C_0B_07_10  # pg advisory lock id of the ingest indexer
GIVE_UP_AFTER = 5  # embedding attempts before a chunk is set aside as failed
_wakers: set[Any] = set()
_wakers_lock = threading.Lock()


# The consumer runner applies each event under a savepoint, and SQLAlchemy reports a savepoint's
# release and rollback as after_commit and after_rollback too: only the outer transaction's end
# counts (woken at a release, the indexer would read the ledger before the commit).
@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    if session.info.pop(WAKE_KEY, False):
        with _wakers_lock:
            wakers = list(_wakers)
        for wake in wakers:
            wake()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(WAKE_KEY, None)


@dataclass
class PassResult:
    deleted: int = 0
    upserted: int = 0
    stamped: int = 0
    settled: int = 0  # ledger rows marked without a store write (re-stamps of unindexed records)
    embed_seconds: float = 0.0

    @property
    def work(self) -> int:
        return self.deleted + self.upserted + self.stamped

    @property
    def is_empty(self) -> bool:
        return not (self.work or self.settled)


@dataclass
class IndexerStats:
    passes: int = 0
    upserted: int = 0
    deleted: int = 0
    stamped: int = 0
    failures: int = 0
    embed_seconds: float = 0.0
    last_error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Indexer:
    def __init__(
        self,
        *,
        db: Database,
        store: VectorStore,
        embedder: Embedder,
        sparse: SparseEncoder,
        registry: Registry,
        batch_size: int = 64,
        poll_interval: float = 1.0,
    ) -> None:
        self._db = db
        self._store = store
        self._embedder = embedder
        self._sparse = sparse
        self._registry = registry
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.stats = IndexerStats()
        self.is_leader = False

    # -- one pass (sync, in a worker thread) -------------------------------------------------------

    def index_once(self) -> PassResult:
        result = PassResult()
        with self._db.session() as session:
            deleting = repository.deleting_point_ids(session, self._batch_size * 8)
            pending = repository.pending_chunks(session, self._batch_size)
            dirty = repository.dirty_records(session, self._batch_size * 4)
            pending_payloads = record_payloads(
                session, sorted({c.key for c in pending}), self._registry
            )
            dirty_payloads = record_payloads(session, [key for key, _ in dirty], self._registry)
            dirty_points = repository.indexed_point_ids(session, [key for key, _ in dirty])
        if deleting:
            self._store.delete(deleting)
            result.deleted = len(deleting)
        written: list[tuple[str, str]] = []
        orphans: list[str] = []
        if pending:
            live = [c for c in pending if c.key in pending_payloads]
            orphans = [c.point_id for c in pending if c.key not in pending_payloads]
            if live:
                started = time.perf_counter()
                try:
                    embeddings = self._embedder.embed_documents([c.text for c in live])
                except (RuntimeError, ValueError, IndexError) as exc:
                    self._record_failure([c.point_id for c in live], exc)
                    raise
                result.embed_seconds = time.perf_counter() - started
                points = []
                for i, item in enumerate(live):
                    payload = pending_payloads[item.key] | {
                        "text": item.text,
                        "chunk_no": item.chunk_no,
                        "redactions": item.redactions,
                    }
                    points.append(
                        StorePoint(
                            id=item.point_id,
                            dense=embeddings.dense[i],
                            bm25=self._sparse.embed_document(item.text),
                            lexical=embeddings.lexical[i] if embeddings.lexical else None,
                            payload=payload,
                        )
                    )
                self._store.upsert(points)
                written = [(c.point_id, c.content_hash) for c in live]
                result.upserted = len(points)
        stamped: list[tuple[tuple[str, str], int]] = []
        for key, seq in dirty:
            restamp = dirty_payloads.get(key)
            if restamp is not None and dirty_points.get(key):
                self._store.set_payload(dirty_points[key], restamp)
                result.stamped += 1
            stamped.append((key, seq))
        if result.work:
            self._store.flush()
        result.settled = len(stamped) + len(orphans) - result.stamped
        if result.work or stamped or orphans:
            with self._db.transaction() as session:
                repository.forget_deleted(session, deleting)
                repository.mark_indexed(session, written)
                repository.mark_deleting(session, orphans)
                repository.mark_stamped(session, stamped)
        return result

    def _record_failure(self, point_ids: list[str], exc: BaseException) -> None:
        logger.exception("embedding %d chunks failed", len(point_ids))
        with self._db.transaction() as session:
            repository.record_failure(
                session, point_ids, f"{type(exc).__name__}: {exc}", give_up_at=GIVE_UP_AFTER
            )

    # -- the loop ----------------------------------------------------------------------------------

    def notify(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        with _wakers_lock:
            _wakers.add(self.notify)
        lease = DatabaseLease(self._db, key=_LEASE_KEY, suffix=".indexer.lock")
        try:
            while not self._stopping.is_set():
                try:
                    if await asyncio.to_thread(lease.try_acquire):
                        break
                except SQLAlchemyError as exc:
                    logger.warning("indexer lease: %s", exc)
                await self._sleep(1.0)
            if self._stopping.is_set():
                return
            self.is_leader = True
            await self._run_as_leader()
        finally:
            self.is_leader = False
            with _wakers_lock:
                _wakers.discard(self.notify)
            await asyncio.to_thread(lease.release)

    async def _run_as_leader(self) -> None:
        backoff = 0.1
        while not self._stopping.is_set():
            self._wake.clear()
            self._idle.clear()
            try:
                result = await asyncio.to_thread(self.index_once)
            except (
                StoreError,
                SQLAlchemyError,
                RuntimeError,
                ValueError,
                IndexError,
                OSError,
            ) as exc:
                self.stats.failures += 1
                self.stats.last_error = f"{type(exc).__name__}: {exc}"
                logger.warning("indexer: %s; retrying in %.1fs", self.stats.last_error, backoff)
                self._idle.set()
                await self._sleep(backoff * (0.5 + random.random()))
                backoff = min(backoff * 2, 30.0)
                continue
            finally:
                self._idle.set()
            backoff = 0.1
            self.stats.passes += 1
            self.stats.upserted += result.upserted
            self.stats.deleted += result.deleted
            self.stats.stamped += result.stamped
            self.stats.embed_seconds += result.embed_seconds
            if not result.is_empty:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_interval)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def stop(self) -> None:
        """Finish the pass in hand, then return."""
        self._stopping.set()
        self._wake.set()
        await self._idle.wait()
