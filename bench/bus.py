"""Outbox -> JetStream -> consumer, beside raw JetStream async publish, in one run.

1. raw: `publish_async` of N event payloads with Msg-Ids, all PubAcks awaited (what
   `nats bench js pub --async` measures), on the same embedded nats-server (sync_interval: always).
2. end to end: a writer commits N changes, one event per transaction, to the producer's
   database; the relay publishes them; a consumer handles each into its own database with the
   ledger. Events/s from the first commit to the last consumer commit. The ratio to (1) is the
   figure.
3. latency: the same path at a light steady rate; from the producer's commit to the consumer's
   handler, p50/p99.
4. stages alone, to show where the end-to-end time goes: commits of one event each; the relay
   draining a preloaded outbox; the consumer draining a preloaded stream.

Everything runs in one process on the machine's cores, so the stages of (2) compete for the GIL
that in a deployment would be three processes.
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bench.common import percentile, save
from crm_common import migrations
from crm_common.bus.connection import Bus, connect
from crm_common.bus.consumer import ConsumerRunner, ConsumerSpec
from crm_common.bus.streams import ensure_streams
from crm_common.db import Database
from crm_common.events import Actor, CloudEvent
from crm_common.natsd import NatsServer
from crm_common.outbox import OutboxRelay, add_event

ACTOR = Actor(kind="user", id="0193a1b2-0000-7000-8000-000000000001", name="bench")


def contact_event(i: int) -> CloudEvent:
    """A contact event of about 600 bytes, like crm-api's."""
    return CloudEvent(
        source="/crm-api",
        type="crm.contact.updated",
        subject=f"0193a1b2-{i:04x}-7000-8000-{i:012x}",
        actor=ACTOR,
        version=1,
        data={
            "first_name": "Ada",
            "last_name": f"Lovelace {i}",
            "emails": [{"email": f"ada{i}@example.org", "is_primary": True}],
            "title": "Chief Investment Officer",
            "organization_id": "0193a1b2-ffff-7000-8000-000000000000",
            "status": "active",
            "contact_type": "prospect",
            "notes": "Met at the annual meeting; interested in fund III.",
        },
    )


async def raw_publish(bus: Bus, events: list[CloudEvent]) -> float:
    payloads = [(e.type, e.to_bytes(), e.id) for e in events]
    started = time.perf_counter()
    futures = [
        await bus.js.publish_async(subject, data, headers={"Nats-Msg-Id": f"raw-{msg_id}"})
        for subject, data, msg_id in payloads
    ]
    await asyncio.gather(*futures)
    return len(events) / (time.perf_counter() - started)


class Probe:
    """The consumer's handler: counts events and notes when each arrived."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.arrived: dict[str, float] = {}
        self.done = threading.Event()

    def __call__(self, event: CloudEvent, session: Session) -> None:
        self.arrived[event.id] = time.perf_counter()
        if len(self.arrived) >= self.expected:
            self.done.set()


async def pipeline(
    bus: Bus,
    producer: Database,
    consumer_db: Database,
    events: list[CloudEvent],
    rate: float | None,
) -> tuple[float, list[float]]:
    probe = Probe(len(events))
    spec = ConsumerSpec(
        name=f"bench-{time.monotonic_ns()}",
        stream="CRM",
        filter_subjects=["crm.>"],
        handlers={},
        default_handler=probe,
        batch_size=256,
        max_ack_pending=10_000,
    )
    runner = ConsumerRunner(spec, bus=bus, db=consumer_db)
    relay = OutboxRelay(producer, bus)
    tasks = [asyncio.create_task(runner.run()), asyncio.create_task(relay.run())]
    committed: dict[str, float] = {}

    def write() -> None:
        interval = 1 / rate if rate else 0.0
        next_at = time.perf_counter()
        for event in events:
            if interval:
                next_at += interval
                delay = next_at - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            with producer.transaction() as session:
                add_event(session, event)
            committed[event.id] = time.perf_counter()

    started = time.perf_counter()
    await asyncio.to_thread(write)
    await asyncio.to_thread(probe.done.wait, 600)
    elapsed = time.perf_counter() - started
    await runner.stop()
    await relay.stop()
    await asyncio.gather(*tasks)
    latencies = [(probe.arrived[i] - committed[i]) * 1000 for i in committed if i in probe.arrived]
    return len(events) / elapsed, latencies


def commit_each(db: Database, events: list[CloudEvent]) -> float:
    started = time.perf_counter()
    for event in events:
        with db.transaction() as session:
            add_event(session, event)
    return len(events) / (time.perf_counter() - started)


async def relay_alone(bus: Bus, db: Database, count: int) -> float:
    relay = OutboxRelay(db, bus)
    started = time.perf_counter()
    sent = 0
    while sent < count:
        sent += await relay.relay_once()
    return count / (time.perf_counter() - started)


async def consumer_alone(bus: Bus, db: Database, count: int) -> float:
    probe = Probe(count)
    spec = ConsumerSpec(
        name="bench-alone",
        stream="CRM",
        filter_subjects=["crm.>"],
        handlers={},
        default_handler=probe,
        batch_size=256,
        max_ack_pending=10_000,
    )
    runner = ConsumerRunner(spec, bus=bus, db=db)
    started = time.perf_counter()
    task = asyncio.create_task(runner.run())
    await asyncio.to_thread(probe.done.wait, 600)
    rate = count / (time.perf_counter() - started)
    await runner.stop()
    await task
    return rate


def fresh_db(path: Path) -> Database:
    url = f"sqlite:///{path}"
    migrations.upgrade(url)
    return Database(url)


async def run(*, quick: bool = False) -> dict[str, Any]:
    n_raw = 5_000 if quick else 20_000
    n_e2e = 1_000 if quick else 5_000
    n_latency, rate = (200, 50.0) if quick else (1_000, 50.0)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server = NatsServer(root / "nats").start()
        try:
            bus = await connect([server.url], name="bench", wait=10)
            await ensure_streams(bus.js)
            raw_rate = await raw_publish(bus, [contact_event(i) for i in range(n_raw)])

            await bus.js.purge_stream("CRM")
            producer, consumer_db = fresh_db(root / "p1.db"), fresh_db(root / "c1.db")
            e2e_rate, _ = await pipeline(
                bus, producer, consumer_db, [contact_event(i) for i in range(n_e2e)], rate=None
            )
            await bus.js.purge_stream("CRM")
            producer, consumer_db = fresh_db(root / "p2.db"), fresh_db(root / "c2.db")
            _, latencies = await pipeline(
                bus, producer, consumer_db, [contact_event(i) for i in range(n_latency)], rate=rate
            )

            await bus.js.purge_stream("CRM")
            producer, consumer_db = fresh_db(root / "p3.db"), fresh_db(root / "c3.db")
            events = [contact_event(i) for i in range(n_e2e)]
            commit_rate = await asyncio.to_thread(commit_each, producer, events)
            relay_rate = await relay_alone(bus, producer, n_e2e)
            consume_rate = await consumer_alone(bus, consumer_db, n_e2e)
            await bus.nc.close()
        finally:
            server.stop()
    figures = {
        "raw_async_publish_events_per_s": round(raw_rate),
        "outbox_to_consumer_events_per_s": round(e2e_rate),
        "ratio_end_to_end_over_raw": round(e2e_rate / raw_rate, 3),
        "stage_commits_per_s": round(commit_rate),
        "stage_relay_events_per_s": round(relay_rate),
        "stage_consumer_events_per_s": round(consume_rate),
        "latency_rate_per_s": rate,
        "commit_to_consumer_ms_p50": round(percentile(latencies, 50), 2),
        "commit_to_consumer_ms_p99": round(percentile(latencies, 99), 2),
        "events": {"raw": n_raw, "end_to_end": n_e2e, "latency": n_latency},
        "database": "sqlite (producer and consumer each their own file)",
    }
    path = save("bus", figures)
    print("bus: outbox -> JetStream -> consumer")
    for key, value in figures.items():
        print(f"  {key}: {value}")
    print(f"  (saved to {path})")
    return figures
