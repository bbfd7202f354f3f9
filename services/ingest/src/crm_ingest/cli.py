"""`ingest reindex`: rebuild the collection, from a replay of the streams or a crm-api snapshot.

With the service running, it asks it (`search.reindex` on the bus): the service wipes the
collection and the ledger of CRM records, and rewinds its consumers to the start of their
streams (the default; the CRM stream keeps every event) or, with `--no-replay`, keeps their
position and rebuilds from the next snapshot (`crm-api snapshot`). With the service stopped, the
command does the same itself: it drops the collection (the service creates it anew at start, for
its model), forgets the ledger, and deletes the durable consumers so they start over.
`--wait` then follows `search.status` until the rebuild has caught up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from typing import Any

import nats.errors
from nats.js.errors import NotFoundError

from crm_common.bus.connection import Bus, connect
from crm_common.bus.service import ServiceCallError, ServiceUnreachable, call
from crm_common.contracts.search import (
    SEARCH_REINDEX,
    SEARCH_STATUS,
    IngestStatus,
    ReindexRequest,
    ReindexResponse,
    StatusRequest,
)
from crm_common.db import Database
from crm_ingest.ledger import status as ledger_status
from crm_ingest.ledger.handlers import consumer_name
from crm_ingest.settings import Settings
from crm_ingest.sources.registry import Registry
from crm_ingest.store.base import StoreError
from crm_ingest.store.factory import build_store


def add_commands(sub: argparse._SubParsersAction[Any]) -> None:
    reindex = sub.add_parser(
        "reindex", help="wipe the collection and rebuild it from a replay (or a snapshot)"
    )
    reindex.add_argument(
        "--no-replay",
        action="store_true",
        help="keep the consumers' position; rebuild from the next crm-api snapshot",
    )
    reindex.add_argument(
        "--wait", action="store_true", help="follow the rebuild until it has caught up"
    )
    reindex.add_argument("--timeout", type=float, default=600.0, help="seconds --wait waits")


def _print(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str))  # noqa: T201 - CLI output


async def _offline(settings: Settings, bus: Bus | None, replay: bool) -> dict[str, Any]:
    registry = Registry()
    names = [consumer_name(stream) for stream in registry.streams()]
    if replay and bus is None:
        raise SystemExit("cannot reach NATS to rewind the consumers; start it, or use --no-replay")
    store = build_store(settings)
    try:
        await asyncio.to_thread(store.drop)
    except StoreError as exc:
        raise SystemExit(f"cannot drop the collection: {exc}") from exc
    db = Database(settings.database_url)
    try:
        await asyncio.to_thread(ledger_status.forget_everything, db, names)
    finally:
        db.dispose()
    rewound = []
    if replay and bus is not None:
        for stream in registry.streams():
            with contextlib.suppress(NotFoundError):
                await bus.js.delete_consumer(stream, consumer_name(stream))
            rewound.append(consumer_name(stream))
    return {
        "collection": settings.collection,
        "replay": replay,
        "consumers_rewound": rewound,
        "note": "the service was not running; it rebuilds when it starts",
    }


async def _wait(bus: Bus, seconds: float) -> IngestStatus:
    deadline = time.monotonic() + seconds
    while True:
        status = await call(bus.nc, SEARCH_STATUS, StatusRequest(), IngestStatus, timeout=10)
        if status.caught_up:
            return status
        if time.monotonic() > deadline:
            raise SystemExit(f"not caught up after {seconds:.0f}s: {status.model_dump_json()}")
        await asyncio.sleep(1.0)


async def _reindex(args: argparse.Namespace, settings: Settings) -> int:
    replay = not args.no_replay
    bus: Bus | None = None
    try:
        bus = await connect(settings.nats_servers, name="ingest-reindex", wait=5)
    except TimeoutError:
        bus = None
    try:
        if bus is None:
            _print(await _offline(settings, None, replay))
            return 0
        try:
            answer = await call(
                bus.nc, SEARCH_REINDEX, ReindexRequest(replay=replay), ReindexResponse, timeout=300
            )
            _print(answer.model_dump(mode="json"))
        except ServiceUnreachable as exc:
            if not isinstance(exc.__cause__, nats.errors.NoRespondersError):
                raise SystemExit(f"the ingest service did not answer: {exc}") from exc
            _print(await _offline(settings, bus, replay))
            return 0
        except ServiceCallError as exc:
            raise SystemExit(f"reindex refused: {exc}") from exc
        if args.wait:
            _print((await _wait(bus, args.timeout)).model_dump(mode="json"))
        return 0
    finally:
        if bus is not None:
            await bus.close()


def reindex(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_reindex(args, settings))


HANDLERS = {"reindex": reindex}
