"""The transactional outbox and its relay to JetStream.

A change and its event are written in one database transaction (`add_event`). The relay then
publishes unsent rows in id order, with `Nats-Msg-Id` = event id, and marks a row sent only after
its PubAck.

Why the relay reads "every unsent row" and never "rows after the last id it saw": ids are handed
out when a row is inserted, not when its transaction commits, so a high-water mark would skip a
row whose transaction committed after a later one's. Per aggregate the id order is the commit
order, because services write the aggregate row (taking its lock) before its outbox row.

Wake-up: a commit that wrote outbox rows wakes the relays of this process at once (SQLAlchemy
`after_commit`); polling (`poll_interval`) only covers rows written by another process.

Durability: Jepsen (2025) showed NATS losing acknowledged writes under the default 2-minute fsync
interval. The embedded server runs with `sync_interval: always`; for servers that don't, the relay
keeps sent rows for `retention` and, after every reconnect, publishes again those sent within
`republish_window`. The stream's duplicate window drops the ones the server kept; consumers'
ledgers drop any that slip through.

Only one relay per database publishes at a time (an advisory lock on PostgreSQL, a file lock on
SQLite), so replicas never interleave their batches.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import random
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import nats.errors
from nats.js.errors import Error as JetStreamError
from sqlalchemy import delete, event, func, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crm_common import metrics
from crm_common.bus.connection import Bus
from crm_common.db import Database
from crm_common.events import Actor, CloudEvent
from crm_common.models import outbox

logger = logging.getLogger(__name__)

_PENDING_KEY = "crm_common.outbox.pending"
_RELAY_LOCK_KEY = 0x0C_0B_07_01  # pg advisory lock id shared by every relay of a database

REPUBLISH_WINDOW = timedelta(seconds=150)  # > nats-server's default 2-minute sync interval

_commit_listeners: set[Callable[[], None]] = set()
_listeners_lock = threading.Lock()


def add_event(session: Session, cloud_event: CloudEvent) -> None:
    """Write `cloud_event` to the outbox in `session`'s transaction."""
    session.execute(
        insert(outbox).values(
            event_id=cloud_event.id,
            subject=cloud_event.type,
            payload=cloud_event.to_bytes(),
            created_at=datetime.now(UTC),
        )
    )
    session.info[_PENDING_KEY] = True


def record_change(
    session: Session,
    *,
    source: str,
    event_type: str,
    aggregate_id: str,
    version: int,
    data: dict[str, Any],
    actor: Actor,
    snapshot_id: str | None = None,
) -> CloudEvent:
    """Build the event for a change and add it to the outbox; returns the event."""
    cloud_event = CloudEvent(
        source=source,
        type=event_type,
        subject=aggregate_id,
        actor=actor,
        version=version,
        data=data,
        snapshotid=snapshot_id,
    )
    add_event(session, cloud_event)
    return cloud_event


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    # SQLAlchemy also calls this when a SAVEPOINT is released (a consumer writes each event under
    # one): its rows are not committed yet, so the wake-up waits for the outermost commit.
    if session.in_nested_transaction():
        return
    if session.info.pop(_PENDING_KEY, False):
        with _listeners_lock:
            listeners = list(_commit_listeners)
        for listener in listeners:
            listener()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():  # a SAVEPOINT's rollback leaves others' rows pending
        session.info.pop(_PENDING_KEY, None)


@dataclass(frozen=True)
class _Row:
    id: int
    event_id: str
    subject: str
    payload: bytes


class PublishIncomplete(Exception):
    """Some rows of a batch got no PubAck; they stay unsent and are tried again."""


class DatabaseLease:
    """Makes one worker of a kind per database the active one: a PostgreSQL advisory lock, or a
    file lock beside the SQLite file. The relay takes one; any other single-writer worker (a
    service's indexer, say) takes its own with another `key` and `suffix`."""

    def __init__(
        self, db: Database, *, key: int = _RELAY_LOCK_KEY, suffix: str = ".relay.lock"
    ) -> None:
        self._db = db
        self._key = key
        self._suffix = suffix
        self._conn: Any = None
        self._file: Any = None

    def try_acquire(self) -> bool:
        if self._db.is_sqlite:
            database = make_url(self._db.url).database
            if not database or database == ":memory:":
                return True
            handle = Path(database + self._suffix).open("a+")  # noqa: SIM115 - held for the lease
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                return False
            self._file = handle
            return True
        conn = self._db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        if conn.execute(select(func.pg_try_advisory_lock(self._key))).scalar():
            self._conn = conn
            return True
        conn.close()
        return False

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._conn is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._conn.execute(select(func.pg_advisory_unlock(self._key)))
            self._conn.close()
            self._conn = None


class OutboxRelay:
    """Publishes the outbox of one database to JetStream, in order, at least once."""

    def __init__(
        self,
        db: Database,
        bus: Bus,
        *,
        batch_size: int = 256,
        poll_interval: float = 2.0,
        ack_timeout: float = 5.0,
        republish_window: timedelta = REPUBLISH_WINDOW,
        retention: timedelta = timedelta(days=7),
        max_backoff: float = 5.0,
        linger: float = 0.002,
    ) -> None:
        self._db = db
        self._bus = bus
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._ack_timeout = ack_timeout
        self._republish_window = republish_window
        self._retention = retention
        self._max_backoff = max_backoff
        self._linger = linger
        self._wake = asyncio.Event()
        self._stopped = asyncio.Event()
        self._republish_due = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._last_prune = datetime.min.replace(tzinfo=UTC)
        self.is_leader = False
        self.failed_attempts = 0
        bus.on_reconnect(self._on_reconnect)

    # -- wake-ups -------------------------------------------------------------------------------

    def _notify(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    async def _on_reconnect(self) -> None:
        self._republish_due = True
        self._wake.set()

    async def stop(self) -> None:
        """Ask the relay to finish its current batch and return."""
        self._stopped.set()
        self._wake.set()

    # -- the loop -------------------------------------------------------------------------------

    async def run(self) -> None:
        """Publish until `stop()`; survives NATS and database outages by backing off."""
        self._loop = asyncio.get_running_loop()
        with _listeners_lock:
            _commit_listeners.add(self._notify)
        try:
            async with self._lease():
                await self._run_as_leader()
        finally:
            with _listeners_lock:
                _commit_listeners.discard(self._notify)

    @contextlib.asynccontextmanager
    async def _lease(self) -> AsyncIterator[None]:
        lease = DatabaseLease(self._db)
        while not self._stopped.is_set():
            try:
                if await asyncio.to_thread(lease.try_acquire):
                    break
            except SQLAlchemyError as exc:
                logger.warning("outbox relay lease: %s", exc)
            await self._sleep(1.0)
        self.is_leader = not self._stopped.is_set()
        try:
            yield
        finally:
            self.is_leader = False
            await asyncio.to_thread(lease.release)

    async def _run_as_leader(self) -> None:
        backoff = 0.05
        while not self._stopped.is_set():
            self._wake.clear()
            try:
                if self._republish_due:
                    self._republish_due = False
                    await self.republish_recent()
                published = await self.relay_once()
                await self._prune_if_due()
            except (
                PublishIncomplete,
                nats.errors.Error,
                JetStreamError,
                SQLAlchemyError,
                TimeoutError,
                OSError,
            ) as exc:
                self.failed_attempts += 1
                logger.warning("outbox relay: %s; retrying in %.2fs", exc, backoff)
                await self._sleep(backoff * (0.5 + random.random()))
                backoff = min(backoff * 2, self._max_backoff)
                continue
            backoff = 0.05
            if published >= self._batch_size:
                continue
            if published:
                # Under a steady stream of commits, wait a moment so the next batch is more than
                # one row: fewer, larger publishes and mark-sent transactions (bench/bus.py).
                await asyncio.sleep(self._linger)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_interval)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), seconds)

    async def relay_once(self) -> int:
        """Publish one batch of unsent rows; returns how many rows it found.

        Raises:
            PublishIncomplete: a row got no PubAck; it and the rows after it stay unsent.
        """
        rows = await asyncio.to_thread(self.load_unsent)
        if not rows:
            return 0
        acked = await self.publish(rows)
        if acked:
            await asyncio.to_thread(self._mark_sent, [row.id for row in acked])
            metrics.EVENTS_PUBLISHED.inc(len(acked))
        if len(acked) < len(rows):
            raise PublishIncomplete(
                f"{len(rows) - len(acked)} of {len(rows)} events not acknowledged"
            )
        return len(rows)

    async def republish_recent(self) -> int:
        """Publish again the rows sent within the republish window; returns how many."""
        since = datetime.now(UTC) - self._republish_window
        rows = await asyncio.to_thread(self._load_sent_since, since)
        for start in range(0, len(rows), self._batch_size):
            batch = rows[start : start + self._batch_size]
            acked = await self.publish(batch)
            metrics.EVENTS_REPUBLISHED.inc(len(acked))
            if len(acked) < len(batch):
                self._republish_due = True
                raise PublishIncomplete("republish interrupted")
        if rows:
            logger.info("republished %d recent events after reconnect", len(rows))
        return len(rows)

    async def publish(self, rows: Sequence[_Row]) -> list[_Row]:
        """Publish `rows` pipelined; returns the longest prefix of rows that got a PubAck."""
        js = self._bus.js
        futures: list[asyncio.Future[Any]] = []
        try:
            for row in rows:
                futures.append(
                    await js.publish_async(
                        row.subject,
                        row.payload,
                        headers={"Nats-Msg-Id": row.event_id},
                        wait_stall=self._ack_timeout,
                    )
                )
        except (nats.errors.Error, JetStreamError, OSError) as exc:
            logger.warning(
                "outbox publish stopped after %d of %d: %s", len(futures), len(rows), exc
            )
        acked: list[_Row] = []
        for row, future in zip(rows, futures, strict=False):
            try:
                ack = await asyncio.wait_for(future, self._ack_timeout)
            except (TimeoutError, nats.errors.Error, JetStreamError) as exc:
                logger.warning("no PubAck for event %s: %s", row.event_id, exc)
                break
            if ack.duplicate:
                metrics.EVENTS_DUPLICATE_ACKED.inc()
            acked.append(row)
        for future in futures[len(acked) :]:
            future.cancel()
        return acked

    # -- database -------------------------------------------------------------------------------

    def load_unsent(self) -> list[_Row]:
        query = (
            select(outbox.c.id, outbox.c.event_id, outbox.c.subject, outbox.c.payload)
            .where(outbox.c.sent_at.is_(None))
            .order_by(outbox.c.id)
            .limit(self._batch_size)
        )
        with self._db.session() as session:
            return [_Row(*row) for row in session.execute(query)]

    def _load_sent_since(self, since: datetime) -> list[_Row]:
        query = (
            select(outbox.c.id, outbox.c.event_id, outbox.c.subject, outbox.c.payload)
            .where(outbox.c.sent_at >= since)
            .order_by(outbox.c.id)
        )
        with self._db.session() as session:
            return [_Row(*row) for row in session.execute(query)]

    def _mark_sent(self, ids: Iterable[int]) -> None:
        now = datetime.now(UTC)
        id_list = list(ids)
        with self._db.transaction() as session:
            for start in range(0, len(id_list), 500):
                chunk = id_list[start : start + 500]
                session.execute(update(outbox).where(outbox.c.id.in_(chunk)).values(sent_at=now))

    async def _prune_if_due(self) -> None:
        now = datetime.now(UTC)
        if now - self._last_prune < timedelta(hours=1):
            return
        self._last_prune = now
        cutoff = now - self._retention

        def prune() -> None:
            # Sent outbox rows are delivery bookkeeping, not records: the events live on in the
            # stream and in every consumer's state.
            with self._db.transaction() as session:
                session.execute(delete(outbox).where(outbox.c.sent_at < cutoff))

        await asyncio.to_thread(prune)


def unsent_count(db: Database) -> int:
    with db.session() as session:
        return int(
            session.execute(
                select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
            ).scalar_one()
        )
