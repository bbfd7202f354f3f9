"""The consumer runner: durable pull consumers with exactly-once effects.

For each fetched batch: parse the envelopes, then in one database transaction, each event under
its own savepoint, check the ledger, run the handler and record the event; commit; then
`ack_sync` each message. A handler is a small function `(event, session) -> None` registered per
event type. One commit per batch rather than per event is what keeps a SQLite consumer fast.

- Redelivery is a no-op: `processed_event` holds (consumer, event id) under a primary key.
- Reordering is harmless: `aggregate_version` holds the newest version applied per aggregate, and
  an event not newer than it is recorded and skipped (events carry full state, so the newest wins).
- A failing handler is `nak`ed with a growing delay; after `max_deliver` deliveries the message is
  published to the DLQ stream with the error, the original subject and headers, then acked, so
  one poison message never blocks the stream. A message that is not a valid event goes to the DLQ
  at once: no retry can fix it.
- `stop()` finishes the batch in hand (every message handled and acked or nak'ed) and returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import nats.errors
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import Error as JetStreamError
from nats.js.errors import FetchTimeoutError, NotFoundError
from pydantic import ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from crm_common import logging as crm_logging
from crm_common import metrics
from crm_common.bus.connection import Bus
from crm_common.db import Database
from crm_common.events import CloudEvent
from crm_common.models import aggregate_version, processed_event

logger = logging.getLogger(__name__)

Handler = Callable[[CloudEvent, Session], None]

DLQ_ERROR = "Crm-Dlq-Error"
DLQ_CONSUMER = "Crm-Dlq-Consumer"
DLQ_SUBJECT = "Crm-Dlq-Original-Subject"
DLQ_HEADERS = "Crm-Dlq-Original-Headers"
DLQ_STREAM_SEQ = "Crm-Dlq-Stream-Sequence"
DLQ_DELIVERIES = "Crm-Dlq-Deliveries"


@dataclass(frozen=True)
class ConsumerSpec:
    """One durable consumer: where it reads, what it runs, how hard it retries."""

    name: str
    stream: str
    filter_subjects: Sequence[str]
    handlers: Mapping[str, Handler]
    default_handler: Handler | None = None
    max_deliver: int = 5
    backoff: Sequence[float] = (0.5, 2.0, 10.0, 30.0)
    ack_wait: float = 60.0
    batch_size: int = 64
    fetch_timeout: float = 1.0
    max_ack_pending: int = 1000
    extra_config: Mapping[str, Any] = field(default_factory=dict)

    def handler_for(self, event_type: str) -> Handler | None:
        return self.handlers.get(event_type, self.default_handler)


APPLIED = "applied"
DUPLICATE = "duplicate"
STALE = "stale"


def _deliveries(msg: Msg) -> int:
    return int(msg.metadata.num_delivered or 1)


class ConsumerRunner:
    """Runs one `ConsumerSpec` against a database until stopped."""

    def __init__(self, spec: ConsumerSpec, *, bus: Bus, db: Database) -> None:
        self.spec = spec
        self._bus = bus
        self._db = db
        self._stopping = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()

    def consumer_config(self) -> ConsumerConfig:
        subjects = list(self.spec.filter_subjects)
        config = ConsumerConfig(
            durable_name=self.spec.name,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.spec.ack_wait,
            max_deliver=self.spec.max_deliver,
            max_ack_pending=self.spec.max_ack_pending,
            **dict(self.spec.extra_config),
        )
        if len(subjects) == 1:
            config.filter_subject = subjects[0]
        else:
            config.filter_subjects = subjects
        return config

    async def run(self) -> None:
        """Fetch and handle batches until `stop()`."""
        js = self._bus.js
        sub = None
        while sub is None and not self._stopping.is_set():
            try:
                await self._ensure_consumer()
                sub = await js.pull_subscribe_bind(self.spec.name, stream=self.spec.stream)
            except (nats.errors.Error, JetStreamError, OSError) as exc:
                logger.warning("consumer %s: cannot subscribe yet: %s", self.spec.name, exc)
                await self._pause(1.0)
        if sub is None:
            return
        try:
            while not self._stopping.is_set():
                try:
                    msgs = await sub.fetch(self.spec.batch_size, timeout=self.spec.fetch_timeout)
                except (FetchTimeoutError, TimeoutError):
                    continue
                except (nats.errors.Error, JetStreamError, OSError) as exc:
                    logger.warning("consumer %s: fetch failed: %s", self.spec.name, exc)
                    await self._pause(0.5)
                    continue
                self._idle.clear()
                try:
                    await self._process_batch(msgs)
                finally:
                    self._idle.set()
        finally:
            with contextlib.suppress(nats.errors.Error, JetStreamError):
                await sub.unsubscribe()

    async def stop(self) -> None:
        """Finish the batch in hand, then return."""
        self._stopping.set()
        await self._idle.wait()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _ensure_consumer(self) -> None:
        js = self._bus.js
        wanted = self.consumer_config()
        try:
            await js.consumer_info(self.spec.stream, self.spec.name)
        except NotFoundError:
            await js.add_consumer(self.spec.stream, config=wanted)
            return
        # Update in place so a changed filter or limit takes effect without losing the position.
        await js.add_consumer(self.spec.stream, config=wanted)

    # -- one batch ------------------------------------------------------------------------------

    async def _process_batch(self, msgs: list[Msg]) -> None:
        parsed: list[tuple[Msg, CloudEvent]] = []
        for msg in msgs:
            try:
                parsed.append((msg, CloudEvent.from_bytes(msg.data)))
            except ValidationError as exc:
                await self._dead_letter(msg, f"invalid event envelope: {exc}", _deliveries(msg))
        if not parsed:
            return
        started = time.perf_counter()
        events = [cloud_event for _, cloud_event in parsed]
        try:
            outcomes = await asyncio.to_thread(self._apply_batch, events)
        except Exception as exc:  # the commit itself failed: every event of the batch is retried
            logger.warning("consumer %s: batch commit failed: %s", self.spec.name, exc)
            outcomes = [exc] * len(parsed)
        elapsed = time.perf_counter() - started
        done: list[Msg] = []
        for (msg, cloud_event), outcome in zip(parsed, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                await self._failed(msg, cloud_event, outcome)
                continue
            if outcome == APPLIED:
                metrics.EVENTS_CONSUMED.labels(self.spec.name).inc()
            else:
                metrics.EVENTS_SKIPPED.labels(self.spec.name, outcome).inc()
            done.append(msg)
        # The batch is committed: acknowledge its messages together rather than one round trip
        # after another.
        await asyncio.gather(*(self._ack(msg) for msg in done))
        metrics.HANDLER_SECONDS.labels(self.spec.name).observe(elapsed / len(parsed))

    async def _failed(self, msg: Msg, cloud_event: CloudEvent, exc: BaseException) -> None:
        metrics.EVENTS_FAILED.labels(self.spec.name).inc()
        deliveries = _deliveries(msg)
        error = f"{type(exc).__name__}: {exc}"
        if deliveries >= self.spec.max_deliver:
            logger.error(
                "consumer %s: giving up on %s %s after %d deliveries: %s",
                self.spec.name,
                cloud_event.type,
                cloud_event.id,
                deliveries,
                error,
            )
            await self._dead_letter(msg, error, deliveries)
            return
        delay = self.spec.backoff[min(deliveries - 1, len(self.spec.backoff) - 1)]
        logger.warning(
            "consumer %s: %s %s failed (delivery %d), retry in %.1fs: %s",
            self.spec.name,
            cloud_event.type,
            cloud_event.id,
            deliveries,
            delay,
            error,
        )
        with contextlib.suppress(nats.errors.Error):
            await msg.nak(delay=delay)

    def _apply_batch(self, events: list[CloudEvent]) -> list[str | BaseException]:
        """Apply a batch in one transaction, each event under its own savepoint.

        A failing handler rolls back only its own savepoint; the others commit together.
        """
        outcomes: list[str | BaseException] = []
        now = datetime.now(UTC)
        with self._db.transaction() as session:
            for cloud_event in events:
                token = crm_logging.event_id.set(cloud_event.id)
                try:
                    with session.begin_nested():
                        outcomes.append(self._apply_one(session, cloud_event, now))
                except Exception as exc:  # a handler may raise anything; the runner retries it
                    outcomes.append(exc)
                finally:
                    crm_logging.event_id.reset(token)
        return outcomes

    def _apply_one(self, session: Session, cloud_event: CloudEvent, now: datetime) -> str:
        """Ledger check, handler, ledger write; returns applied, duplicate or stale."""
        consumer = self.spec.name
        seen = session.execute(
            select(processed_event.c.event_id).where(
                processed_event.c.consumer == consumer,
                processed_event.c.event_id == cloud_event.id,
            )
        ).first()
        if seen is not None:
            return DUPLICATE
        key = (
            aggregate_version.c.consumer == consumer,
            aggregate_version.c.aggregate == cloud_event.aggregate,
            aggregate_version.c.aggregate_id == cloud_event.subject,
        )
        held = session.execute(select(aggregate_version.c.version).where(*key)).scalar_one_or_none()
        outcome = APPLIED
        if held is not None and cloud_event.version <= held:
            outcome = STALE
        else:
            handler = self.spec.handler_for(cloud_event.type)
            if handler is not None:
                handler(cloud_event, session)
            values = {"version": cloud_event.version, "event_id": cloud_event.id, "updated_at": now}
            if held is None:
                session.execute(
                    insert(aggregate_version).values(
                        consumer=consumer,
                        aggregate=cloud_event.aggregate,
                        aggregate_id=cloud_event.subject,
                        **values,
                    )
                )
            else:
                session.execute(update(aggregate_version).where(*key).values(**values))
        session.execute(
            insert(processed_event).values(
                consumer=consumer, event_id=cloud_event.id, processed_at=now, outcome=outcome
            )
        )
        return outcome

    async def _ack(self, msg: Msg) -> None:
        try:
            await msg.ack_sync()
        except (nats.errors.Error, JetStreamError) as exc:
            # The effect is committed; a redelivery will hit the ledger and be acked then.
            logger.warning("consumer %s: ack failed: %s", self.spec.name, exc)

    async def _dead_letter(self, msg: Msg, error: str, deliveries: int) -> None:
        meta = msg.metadata
        original_headers = dict(msg.headers or {})
        msg_id = original_headers.get("Nats-Msg-Id") or f"seq-{meta.sequence.stream}"
        headers = {
            "Nats-Msg-Id": f"{self.spec.name}:{msg_id}",
            DLQ_ERROR: error[:4000].replace("\r", " ").replace("\n", " "),
            DLQ_CONSUMER: self.spec.name,
            DLQ_SUBJECT: msg.subject,
            DLQ_HEADERS: json.dumps(original_headers),
            DLQ_STREAM_SEQ: str(meta.sequence.stream),
            DLQ_DELIVERIES: str(deliveries),
        }
        try:
            await self._bus.js.publish(
                f"dlq.{self.spec.name}.{msg.subject}", msg.data, headers=headers, stream="DLQ"
            )
        except (nats.errors.Error, JetStreamError) as exc:
            logger.warning("consumer %s: DLQ publish failed, will retry: %s", self.spec.name, exc)
            with contextlib.suppress(nats.errors.Error):
                await msg.nak(delay=self.spec.backoff[-1])
            return
        metrics.EVENTS_DEAD_LETTERED.labels(self.spec.name).inc()
        logger.error("consumer %s: dead-lettered %s: %s", self.spec.name, msg.subject, error)
        await self._ack(msg)
