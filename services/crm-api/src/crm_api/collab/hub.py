"""The grid's live feed on one crm-api instance: changes from the bus, presence and cell locks
from JetStream key-value buckets, fanned out to this instance's WebSocket clients.

Several replicas: every instance reads the whole `CRM` stream through its own ordered consumer
(ephemeral, not the shared durable pattern: each replica must see every change), so a change
committed through any instance reaches the clients of all of them. Presence and locks live in the
KV buckets `GRID_PRESENCE` and `GRID_LOCKS`, whose entries expire with a per-key TTL (nats-server
2.11+ `Nats-TTL`; the buckets place a delete marker when one does, so every instance's watcher
learns it); each instance mirrors both buckets in memory for its clients and for the cell-lock
check of HTTP writes.

The grid change sequence is the `CRM` stream sequence: monotonic, assigned at publish (which the
outbox relay does in commit order), the same on every instance. Each change goes out as
`{"type": "change", "seq": N, "event": {...}}`; a client that reconnects sends `since` = the last
seq it saw and gets every grid change after it from the stream, then the live ones, none twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import Error as JetStreamError
from nats.js.errors import KeyWrongLastSequenceError, NotFoundError
from nats.js.kv import KeyValue

from crm_api.auth.principal import Principal
from crm_api.collab.connection import Connection, Send
from crm_common.bus.connection import Bus
from crm_common.ids import new_id_str

logger = logging.getLogger(__name__)

PRESENCE_BUCKET = "GRID_PRESENCE"
LOCK_BUCKET = "GRID_LOCKS"
STREAM = "CRM"
# Aggregates whose changes the grid shows; the rest of the CRM stream is skipped.
GRID_AGGREGATES = {
    "grid_row",
    "grid_column",
    "grid_view",
    "grid_list",
    "grid_list_member",
    "grid_rule",
    "opportunity",
    "fund",
    "communication",
    "proposal",
    "organization",
    "contact",
    "backup",
}
MAX_REPLAY = 20_000  # further behind than this, a client reloads the grid instead
MAX_LOCK_TTL = 300


def lock_key(row_id: str, column: str) -> str:
    """The KV key of a cell's lock: `<row id>.<column ref>` with ':' made '_' (KV key charset)."""
    return f"{row_id}.{column.replace(':', '_')}"


def _now() -> datetime:
    return datetime.now(UTC)


class GridHub:
    """This instance's live grid: a runtime worker, and what the WebSocket route talks to."""

    def __init__(self, *, presence_ttl: int = 30, instance: str | None = None) -> None:
        self.instance = instance or new_id_str()[-12:]
        self.presence_ttl = presence_ttl
        self.seq: int | None = None
        self.presence: dict[str, dict[str, Any]] = {}
        self.locks: dict[str, dict[str, Any]] = {}
        self.connections: dict[str, Connection] = {}
        self.ready = asyncio.Event()
        self._bus: Bus | None = None
        self._presence_kv: KeyValue | None = None
        self._lock_kv: KeyValue | None = None
        self._stopped = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._sub: Any = None

    # -- the worker -----------------------------------------------------------------------------

    def bind(self, bus: Bus) -> GridHub:
        self._bus = bus
        return self

    async def run(self) -> None:
        assert self._bus is not None
        js = self._bus.js
        while not self._stopped.is_set():
            try:
                self._presence_kv = await _bucket(js, PRESENCE_BUCKET)
                self._lock_kv = await _bucket(js, LOCK_BUCKET)
                info = await js.stream_info(STREAM)
                self.seq = int(info.state.last_seq)
                self._sub = await js.subscribe(
                    "crm.>",
                    stream=STREAM,
                    cb=self._on_message,
                    ordered_consumer=True,
                    config=ConsumerConfig(
                        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                        opt_start_seq=self.seq + 1,
                    ),
                )
                break
            except (nats.errors.Error, JetStreamError, OSError) as exc:
                logger.warning("grid live feed cannot start yet: %s", exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopped.wait(), 1.0)
        if self._stopped.is_set():
            return
        self._tasks = [
            asyncio.create_task(self._watch(self._presence_kv, self.presence, "presence")),
            asyncio.create_task(self._watch(self._lock_kv, self.locks, "lock")),
        ]
        self.ready.set()
        logger.info("grid live feed ready at seq %s (instance %s)", self.seq, self.instance)
        await self._stopped.wait()

    async def stop(self) -> None:
        self._stopped.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._sub is not None:
            with contextlib.suppress(nats.errors.Error, JetStreamError):
                await self._sub.unsubscribe()
        for connection in list(self.connections.values()):
            await self.disconnect(connection)

    @property
    def is_ready(self) -> bool:
        return self.ready.is_set()

    # -- changes --------------------------------------------------------------------------------

    @staticmethod
    def _relevant(subject: str) -> bool:
        parts = subject.split(".")
        if len(parts) != 3:
            return False
        if parts[1] == "snapshot":
            return parts[2] == "completed"
        return parts[1] in GRID_AGGREGATES and parts[2] != "snapshot"

    @staticmethod
    def _render(seq: int, subject: str, raw: bytes) -> tuple[dict[str, Any], str] | None:
        try:
            event = json.loads(raw)
        except ValueError:
            return None
        if subject == "crm.snapshot.completed":
            # After a restore (or any snapshot) the grid may have changed everywhere.
            return event, json.dumps({"type": "reset", "seq": seq, "reason": "snapshot"})
        body = {
            "id": event.get("id"),
            "type": event.get("type"),
            "subject": event.get("subject"),
            "version": event.get("version"),
            "time": event.get("time"),
            "actor": event.get("actor"),
            "data": event.get("data"),
        }
        return event, json.dumps({"type": "change", "seq": seq, "event": body})

    async def _on_message(self, msg: Msg) -> None:
        seq = int(msg.metadata.sequence.stream)
        self.seq = max(self.seq or 0, seq)
        if not self._relevant(msg.subject):
            return
        rendered = self._render(seq, msg.subject, msg.data)
        if rendered is None:
            return
        event, text = rendered
        for connection in list(self.connections.values()):
            if not connection.subscribed or not connection.sees(event):
                continue
            if connection.replaying:
                connection.buffer.append((seq, text))
            else:
                self._deliver(connection, seq, text)

    def _deliver(self, connection: Connection, seq: int, text: str) -> None:
        if seq <= connection.last_seq:
            return
        connection.last_seq = seq
        self._push(connection, text)

    def _push(self, connection: Connection, text: str) -> None:
        try:
            connection.queue.put_nowait(text)
        except asyncio.QueueFull:
            connection.overflowed = True
            logger.warning("grid client %s fell too far behind; disconnecting it", connection.id)
            with contextlib.suppress(asyncio.QueueFull):
                connection.queue.get_nowait()
                connection.queue.put_nowait(None)

    async def catch_up(self, connection: Connection, since: int | None) -> None:
        """Start the connection's feed after `since` (None: from now), replaying what it missed.

        "Now" is the stream's last sequence, not only what this instance's feed has read so far:
        a client resuming on an instance that lags behind the one it left still gets every
        change it missed before `caught_up`.
        """
        current = self.seq or 0
        if since is not None:
            current = max(current, await self._stream_last_seq())
        if since is None or since >= current:
            connection.last_seq = max(since or 0, current) if since is not None else current
            connection.subscribed = True
            return
        if current - since > MAX_REPLAY:
            connection.last_seq = current
            connection.subscribed = True
            self._push(connection, json.dumps({"type": "reset", "seq": current, "reason": "gap"}))
            return
        connection.replaying = True
        connection.subscribed = True
        connection.last_seq = since
        try:
            await self._replay(connection, since, current)
        finally:
            pending, connection.buffer = connection.buffer, []
            connection.replaying = False
            for seq, text in pending:
                self._deliver(connection, seq, text)
        self._push(connection, json.dumps({"type": "caught_up", "seq": connection.last_seq}))

    async def _stream_last_seq(self) -> int:
        if self._bus is None:
            return 0
        try:
            info = await self._bus.js.stream_info(STREAM)
        except (nats.errors.Error, JetStreamError) as exc:
            logger.warning("cannot read the %s stream's position: %s", STREAM, exc)
            return 0
        return int(info.state.last_seq)

    async def _replay(self, connection: Connection, since: int, until: int) -> None:
        assert self._bus is not None
        js = self._bus.js
        done = asyncio.Event()

        async def on_message(msg: Msg) -> None:
            seq = int(msg.metadata.sequence.stream)
            if seq > until:
                done.set()
                return
            if self._relevant(msg.subject):
                rendered = self._render(seq, msg.subject, msg.data)
                if rendered is not None and connection.sees(rendered[0]):
                    self._deliver(connection, seq, rendered[1])
            if seq >= until:
                done.set()

        sub = await js.subscribe(
            "crm.>",
            stream=STREAM,
            cb=on_message,
            ordered_consumer=True,
            config=ConsumerConfig(
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=since + 1
            ),
        )
        try:
            await asyncio.wait_for(done.wait(), 30)
        finally:
            with contextlib.suppress(nats.errors.Error, JetStreamError):
                await sub.unsubscribe()

    # -- connections and presence ---------------------------------------------------------------

    def connect(self, principal: Principal, send: Send) -> Connection:
        connection = Connection(
            id=f"{self.instance}-{new_id_str()[-12:]}", principal=principal, send=send
        )
        self.connections[connection.id] = connection
        return connection

    async def disconnect(self, connection: Connection) -> None:
        self.connections.pop(connection.id, None)
        with contextlib.suppress(asyncio.QueueFull):
            connection.queue.put_nowait(None)
        if self._presence_kv is not None:
            with contextlib.suppress(nats.errors.Error, JetStreamError):
                await self._presence_kv.delete(connection.id)
        for key, lock in list(self.locks.items()):
            if lock.get("connection_id") == connection.id:
                with contextlib.suppress(nats.errors.Error, JetStreamError):
                    await self._release(key, lock)

    def presence_entry(self, connection: Connection) -> dict[str, Any]:
        return {
            "connection_id": connection.id,
            "user_id": connection.principal.user_id,
            "name": connection.principal.name,
            "kind": connection.principal.kind,
            "view_id": connection.view_id,
            "cell": connection.cell,
            "instance": self.instance,
            "at": _now().isoformat(),
        }

    async def publish_presence(self, connection: Connection) -> None:
        """Put (or refresh) the connection's presence; it expires unless refreshed in time."""
        if self._presence_kv is None:
            return
        entry = self.presence_entry(connection)
        await self._bus_js().publish(
            f"$KV.{PRESENCE_BUCKET}.{connection.id}",
            json.dumps(entry).encode(),
            msg_ttl=self.presence_ttl,
        )

    def _bus_js(self) -> JetStreamContext:
        assert self._bus is not None
        return self._bus.js

    # -- locks ----------------------------------------------------------------------------------

    async def acquire(
        self, connection: Connection, *, row_id: str, column: str, ttl: int
    ) -> tuple[bool, dict[str, Any]]:
        """Take (or renew) a cell's lock for `ttl` seconds: (True, lock) or (False, holder's)."""
        assert self._lock_kv is not None
        ttl = max(1, min(ttl, MAX_LOCK_TTL))
        key = lock_key(row_id, column)
        now = _now()
        lock = {
            "key": key,
            "row_id": row_id,
            "column": column,
            "user_id": connection.principal.user_id,
            "name": connection.principal.name,
            "connection_id": connection.id,
            "acquired_at": now.isoformat(),
            "expires_at": (now + timedelta(seconds=ttl)).isoformat(),
            "ttl": ttl,
        }
        payload = json.dumps(lock).encode()
        try:
            await self._lock_kv.create(key, payload, msg_ttl=ttl)
            return True, lock
        except KeyWrongLastSequenceError:
            pass
        try:
            entry = await self._lock_kv.get(key)
        except (NotFoundError, nats.js.errors.KeyDeletedError, nats.js.errors.KeyNotFoundError):
            return await self.acquire(connection, row_id=row_id, column=column, ttl=ttl)
        held = json.loads(entry.value or b"{}")
        if held.get("connection_id") != connection.id:
            return False, held
        lock["acquired_at"] = held.get("acquired_at", lock["acquired_at"])
        try:
            await self._bus_js().publish(
                f"$KV.{LOCK_BUCKET}.{key}",
                json.dumps(lock).encode(),
                headers={"Nats-Expected-Last-Subject-Sequence": str(entry.revision)},
                msg_ttl=ttl,
            )
        except JetStreamError:
            return False, held
        return True, lock

    async def release(self, connection: Connection, *, row_id: str, column: str) -> bool:
        key = lock_key(row_id, column)
        held = self.locks.get(key)
        if held is None or held.get("connection_id") != connection.id:
            return False
        await self._release(key, held)
        return True

    async def _release(self, key: str, held: dict[str, Any]) -> None:
        assert self._lock_kv is not None
        try:
            entry = await self._lock_kv.get(key)
        except (NotFoundError, nats.js.errors.KeyDeletedError, nats.js.errors.KeyNotFoundError):
            return
        current = json.loads(entry.value or b"{}")
        if current.get("connection_id") == held.get("connection_id"):
            with contextlib.suppress(JetStreamError):
                await self._lock_kv.delete(key, last=entry.revision)

    def holder(self, row_id: str, column: str, principal: Principal) -> dict[str, Any] | None:
        """Who else holds the cell's lock (not expired), if anyone but `principal`'s user."""
        lock = self.locks.get(lock_key(row_id, column))
        if lock is None or lock.get("user_id") == principal.user_id:
            return None
        try:
            if datetime.fromisoformat(lock["expires_at"]) <= _now():
                return None
        except (KeyError, ValueError):
            return None
        return {k: lock.get(k) for k in ("user_id", "name", "expires_at", "row_id", "column")}

    def lock_check(self, principal: Principal) -> Callable[[str, str], dict[str, Any] | None]:
        return lambda row_id, column: self.holder(row_id, column, principal)

    # -- the buckets' watchers ------------------------------------------------------------------

    async def _watch(
        self, kv: KeyValue | None, mirror: dict[str, dict[str, Any]], kind: str
    ) -> None:
        assert kv is not None
        while not self._stopped.is_set():
            try:
                watcher = await kv.watch(">")
                async for entry in watcher:
                    if entry is None:
                        continue
                    self._apply_entry(mirror, kind, entry.key, entry.operation, entry.value)
            except asyncio.CancelledError:
                raise
            except (nats.errors.Error, JetStreamError, OSError) as exc:
                logger.warning("grid %s watcher: %s; watching again", kind, exc)
                await asyncio.sleep(0.5)

    def _apply_entry(
        self,
        mirror: dict[str, dict[str, Any]],
        kind: str,
        key: str,
        operation: str | None,
        value: bytes | None,
    ) -> None:
        if operation in ("DEL", "PURGE") or not value:
            gone = mirror.pop(key, None)
            if gone is not None:
                self._broadcast({"type": kind, "op": "delete", "key": key, kind: gone})
            return
        try:
            entry = json.loads(value)
        except ValueError:
            return
        mirror[key] = entry
        self._broadcast({"type": kind, "op": "put", "key": key, kind: entry})

    def _broadcast(self, message: dict[str, Any]) -> None:
        text = json.dumps(message)
        for connection in list(self.connections.values()):
            self._push(connection, text)

    def state(self) -> dict[str, Any]:
        return {
            "type": "state",
            "seq": self.seq,
            "presence": list(self.presence.values()),
            "locks": list(self.locks.values()),
        }


async def _bucket(js: JetStreamContext, name: str) -> KeyValue:
    """The bucket, created when missing: one value per key, per-key TTLs, delete markers kept a
    minute so that every watcher learns of an expiry."""
    try:
        return await js.key_value(name)
    except (NotFoundError, nats.js.errors.BucketNotFoundError):
        pass
    try:
        return await js.create_key_value(
            bucket=name, history=1, ttl=3600, limit_marker_ttl=60, description="grid live state"
        )
    except JetStreamError:
        return await js.key_value(name)  # another instance created it first
