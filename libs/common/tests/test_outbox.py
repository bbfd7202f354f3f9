"""The outbox and its relay, against a real nats-server and real databases."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from bus_helpers import create_effect_table, effect_rows, make_event, record_effect

from crm_common import outbox as outbox_module
from crm_common.bus.connection import Bus, connect
from crm_common.bus.consumer import ConsumerRunner, ConsumerSpec
from crm_common.bus.streams import ensure_streams
from crm_common.db import Database
from crm_common.natsd import NatsServer
from crm_common.outbox import OutboxRelay, add_event, unsent_count
from crm_common.testing import eventually

pytestmark = pytest.mark.anyio


async def stream_messages(bus: Bus, stream: str = "CRM") -> int:
    info = await bus.js.stream_info(stream)
    return int(info.state.messages)


async def stream_event_ids(bus: Bus, count: int) -> list[str]:
    ids = []
    for seq in range(1, count + 1):
        msg = await bus.js.get_msg("CRM", seq)
        ids.append((msg.headers or {})["Nats-Msg-Id"])
    return ids


@pytest.fixture
async def streams(bus: Bus) -> Bus:
    await ensure_streams(bus.js)
    return bus


class Running:
    """Runs workers as tasks and stops them at the end of the test."""

    def __init__(self) -> None:
        self.items: list[tuple[object, asyncio.Task[None]]] = []

    def start(self, worker: OutboxRelay | ConsumerRunner) -> None:
        self.items.append((worker, asyncio.create_task(worker.run())))

    async def stop_all(self) -> None:
        for worker, task in self.items:
            await worker.stop()  # type: ignore[attr-defined]
            await asyncio.wait_for(task, 10)


@pytest.fixture
async def running() -> AsyncIterator[Running]:
    workers = Running()
    try:
        yield workers
    finally:
        await workers.stop_all()


async def drain_through_marker(db: Database, within: float = 10.0) -> str:
    """Commit a marker event and wait for its effect; returns its id.

    The stream is ordered, so once the marker's effect is in, every copy published before it
    (a republish, a duplicate) has been through the consumer too.
    """
    marker = make_event(aggregate_id="marker")
    with db.transaction() as session:
        add_event(session, marker)
    await eventually(
        lambda: marker.id in {row[0] for row in effect_rows(db)},
        what="the marker event's effect",
        within=within,
    )
    return marker.id


def effect_consumer(bus: Bus, db: Database) -> ConsumerRunner:
    spec = ConsumerSpec(
        name="effects",
        stream="CRM",
        filter_subjects=["crm.>"],
        handlers={},
        default_handler=record_effect,
        backoff=(0.05,),
        fetch_timeout=0.2,
    )
    return ConsumerRunner(spec, bus=bus, db=db)


async def test_a_committed_event_is_published_with_its_id_as_msg_id(
    db: Database, streams: Bus, running: Running
) -> None:
    event = make_event()
    running.start(OutboxRelay(db, streams, poll_interval=0.05))
    with db.transaction() as session:
        add_event(session, event)

    await eventually(lambda: unsent_count(db) == 0, what="the outbox relayed")
    assert await stream_messages(streams) == 1
    msg = await streams.js.get_msg("CRM", 1)
    assert msg.subject == "crm.contact.updated"
    assert (msg.headers or {})["Nats-Msg-Id"] == event.id


async def test_a_commit_wakes_the_relay_without_waiting_for_the_poll(
    db: Database, streams: Bus, running: Running
) -> None:
    relay = OutboxRelay(db, streams, poll_interval=3600)
    running.start(relay)
    await eventually(lambda: relay.is_leader, what="the relay leading")
    with db.transaction() as session:
        add_event(session, make_event())
    # With an hour between polls, only the commit's wake-up can publish it within the deadline.
    await eventually(lambda: unsent_count(db) == 0, what="the outbox relayed", within=5)


def test_the_wake_up_comes_once_rows_written_under_savepoints_are_committed(db: Database) -> None:
    # A consumer writes each event's effects (and its outbox rows) under a SAVEPOINT, and a
    # failing one rolls back alone. The relay must be woken by the real commit, when the rows
    # are visible to its own connection, not by a SAVEPOINT's release.
    visible: list[int] = []

    def woken() -> None:
        visible.append(unsent_count(db))

    with outbox_module._listeners_lock:
        outbox_module._commit_listeners.add(woken)
    try:
        with db.transaction() as session:
            with session.begin_nested():
                add_event(session, make_event("c-1"))
            failed = session.begin_nested()  # this event's handler fails
            add_event(session, make_event("c-2"))
            failed.rollback()
            with session.begin_nested():
                add_event(session, make_event("c-3"))
    finally:
        with outbox_module._listeners_lock:
            outbox_module._commit_listeners.discard(woken)
    assert visible == [2]


async def test_a_rolled_back_transaction_publishes_nothing(
    db: Database, streams: Bus, running: Running
) -> None:
    running.start(OutboxRelay(db, streams, poll_interval=0.05))

    def abandon() -> None:
        with db.transaction() as session:
            add_event(session, make_event(name="rolled back"))
            raise RuntimeError("abort")

    with pytest.raises(RuntimeError):
        abandon()
    marker = make_event(aggregate_id="c-2")
    with db.transaction() as session:
        add_event(session, marker)

    await eventually(lambda: unsent_count(db) == 0, what="the outbox relayed")
    assert await stream_messages(streams) == 1
    assert await stream_event_ids(streams, 1) == [marker.id]


async def test_an_event_committed_while_nats_is_down_is_published_once_after_it_starts(
    db: Database, nats_server: NatsServer, running: Running
) -> None:
    bus = await connect([nats_server.url], name="relay", wait=10)
    try:
        await ensure_streams(bus.js)
        relay = OutboxRelay(db, bus, poll_interval=0.05, ack_timeout=1.0, max_backoff=0.5)
        running.start(relay)
        await eventually(lambda: relay.is_leader, what="the relay leading")

        nats_server.stop()
        event = make_event()
        with db.transaction() as session:
            add_event(session, event)
        await eventually(lambda: relay.failed_attempts > 0, what="a failed relay attempt")
        assert unsent_count(db) == 1

        nats_server.start()
        await eventually(lambda: unsent_count(db) == 0, what="the outbox relayed", within=30)
        assert await stream_messages(bus) == 1
        assert await stream_event_ids(bus, 1) == [event.id]
    finally:
        await running.stop_all()
        running.items.clear()
        await bus.nc.close()


async def test_a_relay_killed_between_publish_and_mark_sent_causes_no_second_effect(
    db: Database, streams: Bus, running: Running
) -> None:
    create_effect_table(db)
    events = [make_event(aggregate_id=f"c-{i}") for i in range(5)]
    with db.transaction() as session:
        for event in events:
            add_event(session, event)

    # The first relay publishes the batch and dies before it marks the rows sent.
    doomed = OutboxRelay(db, streams)
    published = await doomed.publish(await asyncio.to_thread(doomed.load_unsent))
    assert len(published) == 5
    assert unsent_count(db) == 5

    # Its successor publishes them all again; the stream's duplicate window drops the copies.
    running.start(OutboxRelay(db, streams, poll_interval=0.05))
    running.start(effect_consumer(streams, db))
    await eventually(lambda: unsent_count(db) == 0, what="the outbox relayed")
    await eventually(lambda: len(effect_rows(db)) == 5, what="five effects")
    assert await stream_messages(streams) == 5
    assert sorted(row[0] for row in effect_rows(db)) == sorted(e.id for e in events)


async def test_republishing_after_a_reconnect_causes_no_second_effect(
    db: Database, streams: Bus, running: Running
) -> None:
    create_effect_table(db)
    relay = OutboxRelay(db, streams, poll_interval=0.05, republish_window=timedelta(minutes=5))
    running.start(relay)
    running.start(effect_consumer(streams, db))
    events = [make_event(aggregate_id=f"c-{i}") for i in range(3)]
    with db.transaction() as session:
        for event in events:
            add_event(session, event)
    await eventually(lambda: len(effect_rows(db)) == 3, what="three effects")

    assert await relay.republish_recent() == 3
    await drain_through_marker(db)
    assert len(effect_rows(db)) == 4
    assert await stream_messages(streams) == 4


async def test_every_event_committed_across_a_sigkill_of_nats_arrives_with_one_effect(
    db: Database, tmp_path: Path, running: Running
) -> None:
    server = NatsServer(tmp_path / "killed").start()
    bus = await connect([server.url], name="kill-test", wait=10)
    create_effect_table(db)
    committed: list[str] = []
    total = 300
    halfway = threading.Event()

    def write_steadily() -> None:
        for i in range(total):
            event = make_event(aggregate_id=f"c-{i}")
            with db.transaction() as session:
                add_event(session, event)
            committed.append(event.id)
            if i == total // 3:
                halfway.set()
            time.sleep(0.004)

    try:
        await ensure_streams(bus.js)
        running.start(OutboxRelay(db, bus, poll_interval=0.05, ack_timeout=1.0, max_backoff=0.5))
        running.start(effect_consumer(bus, db))
        writer = asyncio.create_task(asyncio.to_thread(write_steadily))
        await asyncio.to_thread(halfway.wait, 30)
        server.kill()
        await eventually(lambda: not bus.is_connected, what="the bus disconnected")
        server.start()
        await writer

        await eventually(lambda: len(effect_rows(db)) >= total, what="every effect", within=90)
        marker = await drain_through_marker(db, within=30)
        effects = [row[0] for row in effect_rows(db) if row[0] != marker]
        assert len(effects) == total
        assert set(effects) == set(committed)
        assert unsent_count(db) == 0
    finally:
        await running.stop_all()
        running.items.clear()
        await bus.nc.close()
        server.stop()
