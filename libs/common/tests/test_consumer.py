"""The consumer runner: retries, dead letters, idempotency, ordering, graceful shutdown."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Callable

import pytest
from bus_helpers import (
    create_effect_table,
    effect_rows,
    make_event,
    record_effect,
)
from sqlalchemy.orm import Session

from crm_common.bus.connection import Bus
from crm_common.bus.consumer import (
    DLQ_CONSUMER,
    DLQ_DELIVERIES,
    DLQ_ERROR,
    DLQ_HEADERS,
    DLQ_SUBJECT,
    ConsumerRunner,
    ConsumerSpec,
    Handler,
)
from crm_common.bus.streams import ensure_streams
from crm_common.db import Database
from crm_common.events import CloudEvent
from crm_common.testing import eventually

pytestmark = pytest.mark.anyio


@pytest.fixture
async def streams(bus: Bus, db: Database) -> Bus:
    await ensure_streams(bus.js)
    create_effect_table(db)
    return bus


@pytest.fixture
async def start_consumer(
    streams: Bus, db: Database
) -> AsyncIterator[Callable[..., ConsumerRunner]]:
    started: list[tuple[ConsumerRunner, asyncio.Task[None]]] = []

    def start(handler: Handler = record_effect, **options: object) -> ConsumerRunner:
        spec = ConsumerSpec(
            name=str(options.pop("name", "test")),
            stream="CRM",
            filter_subjects=["crm.>"],
            handlers={},
            default_handler=handler,
            backoff=(0.05, 0.1),
            fetch_timeout=0.2,
            **options,  # type: ignore[arg-type]
        )
        runner = ConsumerRunner(spec, bus=streams, db=db)
        started.append((runner, asyncio.create_task(runner.run())))
        return runner

    yield start
    for runner, task in started:
        await runner.stop()
        await asyncio.wait_for(task, 10)


async def publish(bus: Bus, event: CloudEvent, msg_id: str | None = None) -> None:
    await bus.js.publish(event.type, event.to_bytes(), headers={"Nats-Msg-Id": msg_id or event.id})


async def dlq_messages(bus: Bus) -> list[tuple[str | None, dict[str, str], bytes]]:
    info = await bus.js.stream_info("DLQ")
    out = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        if info.state.messages == 0:
            break
        msg = await bus.js.get_msg("DLQ", seq)
        out.append((msg.subject, dict(msg.headers or {}), msg.data or b""))
    return out


class Flaky:
    """A handler that raises its first `failures` calls, then records the effect."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def __call__(self, event: CloudEvent, session: Session) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError(f"transient failure {self.calls}")
        record_effect(event, session)


async def test_a_handler_that_fails_a_few_times_is_retried_until_it_succeeds(
    streams: Bus, db: Database, start_consumer: Callable[..., ConsumerRunner]
) -> None:
    handler = Flaky(failures=2)
    start_consumer(handler, max_deliver=5)
    event = make_event()
    await publish(streams, event)

    await eventually(lambda: len(effect_rows(db)) == 1, what="one effect")
    assert handler.calls == 3
    assert effect_rows(db)[0][0] == event.id
    assert await dlq_messages(streams) == []


async def test_a_handler_that_keeps_failing_lands_in_the_dlq_while_later_messages_flow(
    streams: Bus, db: Database, start_consumer: Callable[..., ConsumerRunner]
) -> None:
    def handler(event: CloudEvent, session: Session) -> None:
        if event.data["name"] == "poison":
            raise ValueError("cannot handle this one")
        record_effect(event, session)

    start_consumer(handler, max_deliver=3)
    bad = make_event(aggregate_id="bad", name="poison")
    good = make_event(aggregate_id="good")
    await streams.js.publish(
        bad.type, bad.to_bytes(), headers={"Nats-Msg-Id": bad.id, "Traceparent": "00-abc-01"}
    )
    await publish(streams, good)

    await eventually(
        lambda: [r[0] for r in effect_rows(db)] == [good.id], what="only the good event's effect"
    )
    dead: list[tuple[str | None, dict[str, str], bytes]] = []

    async def wait_dlq() -> None:
        while not dead:
            dead.extend(await dlq_messages(streams))
            await asyncio.sleep(0.05)

    await asyncio.wait_for(wait_dlq(), 10)
    subject, headers, data = dead[0]
    assert subject == "dlq.test.crm.contact.updated"
    assert headers[DLQ_SUBJECT] == "crm.contact.updated"
    assert headers[DLQ_CONSUMER] == "test"
    assert "ValueError: cannot handle this one" in headers[DLQ_ERROR]
    assert headers[DLQ_DELIVERIES] == "3"
    assert json.loads(headers[DLQ_HEADERS]) == {"Nats-Msg-Id": bad.id, "Traceparent": "00-abc-01"}
    assert CloudEvent.from_bytes(data) == bad
    # Acked after dead-lettering: nothing is left pending on the consumer.
    info = await streams.js.consumer_info("CRM", "test")
    assert info.num_ack_pending == 0
    assert info.num_pending == 0


async def test_a_message_that_is_not_an_event_goes_to_the_dlq_at_once(
    streams: Bus, db: Database, start_consumer: Callable[..., ConsumerRunner]
) -> None:
    start_consumer(max_deliver=5)
    await streams.js.publish("crm.contact.updated", b"{not json", headers={"Nats-Msg-Id": "junk"})
    good = make_event()
    await publish(streams, good)

    await eventually(lambda: len(effect_rows(db)) == 1, what="one effect")
    dead = await dlq_messages(streams)
    assert len(dead) == 1
    assert dead[0][1][DLQ_DELIVERIES] == "1"
    assert "invalid event envelope" in dead[0][1][DLQ_ERROR]


async def test_a_redelivered_event_changes_nothing(
    streams: Bus, db: Database, start_consumer: Callable[..., ConsumerRunner]
) -> None:
    start_consumer()
    event = make_event()
    await publish(streams, event)
    # The same event again under another Msg-Id, as after the stream's duplicate window: only
    # the consumer's ledger can drop it.
    await publish(streams, event, msg_id=f"{event.id}-again")
    marker = make_event(aggregate_id="marker")
    await publish(streams, marker)

    await eventually(
        lambda: marker.id in [r[0] for r in effect_rows(db)], what="the marker event's effect"
    )
    assert [r[0] for r in effect_rows(db)] == [event.id, marker.id]


async def test_an_older_version_arriving_after_a_newer_one_changes_nothing(
    streams: Bus, db: Database, start_consumer: Callable[..., ConsumerRunner]
) -> None:
    start_consumer()
    newer = make_event(version=2, name="Ada Lovelace")
    older = make_event(version=1, name="Ada")
    await publish(streams, newer)
    await publish(streams, older)
    marker = make_event(aggregate_id="marker")
    await publish(streams, marker)

    await eventually(
        lambda: marker.id in [r[0] for r in effect_rows(db)], what="the marker event's effect"
    )
    assert [(r[1], r[2], r[3]) for r in effect_rows(db)] == [
        ("c-1", 2, "Ada Lovelace"),
        ("marker", 1, "Ada"),
    ]


async def test_stopping_finishes_the_message_in_hand_and_acks_it(
    streams: Bus, db: Database, start_consumer: Callable[..., ConsumerRunner]
) -> None:
    entered = threading.Event()
    release = threading.Event()

    def slow(event: CloudEvent, session: Session) -> None:
        entered.set()
        release.wait(10)
        record_effect(event, session)

    runner = start_consumer(slow)
    await publish(streams, make_event())
    await asyncio.to_thread(entered.wait, 10)

    stopping = asyncio.create_task(runner.stop())
    await asyncio.sleep(0)
    assert not stopping.done()  # it waits for the handler
    release.set()
    await asyncio.wait_for(stopping, 10)

    assert len(effect_rows(db)) == 1
    info = await streams.js.consumer_info("CRM", "test")
    assert info.num_ack_pending == 0
