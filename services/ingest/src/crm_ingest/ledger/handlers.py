"""The consumers of the records: one durable consumer per stream the sources read (CRM, and
GMAIL for gmail-sync's messages), each event type handled by `service.apply_event` for its source.
They only write the ledger; the indexer embeds afterwards.

A source that fetches its text from another service (`Source.fetch`) gets a `BusCaller`, and its
consumer is patient: while that service is down its events are nak'ed with a growing delay, for
over an hour, before one is dead-lettered.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from nats.aio.client import Client
from pydantic import BaseModel

from crm_common.bus.consumer import ConsumerSpec, Handler
from crm_common.bus.service import ServiceUnreachable, call
from crm_ingest.chunking.service import Chunker
from crm_ingest.ledger import service as ledger
from crm_ingest.sources.base import Caller, Reply, Source
from crm_ingest.sources.registry import Registry

ACTIONS = ("created", "updated", "deleted", "restored", "purged", "snapshot")
# A consumer whose events wait on another service: 1 s, 5 s, 15 s, 1 min, then every 5 min,
# 20 deliveries in all (about 80 minutes) before the DLQ.
PATIENT_BACKOFF = (1.0, 5.0, 15.0, 60.0, 300.0)
PATIENT_MAX_DELIVER = 20


def consumer_name(stream: str) -> str:
    return f"ingest-{stream.lower()}"


class BusCaller:
    """`crm_common.bus.service.call` from a consumer's worker thread, run on the event loop that
    owns the connection."""

    def __init__(self, nc: Client, *, loop: asyncio.AbstractEventLoop, timeout: float) -> None:
        self._nc = nc
        self._loop = loop
        self._timeout = timeout

    def __call__(self, subject: str, request: BaseModel, response: type[Reply]) -> Reply:
        future = asyncio.run_coroutine_threadsafe(
            call(self._nc, subject, request, response, timeout=self._timeout), self._loop
        )
        try:
            return future.result(timeout=self._timeout * 2)
        except TimeoutError as exc:
            future.cancel()
            raise ServiceUnreachable(f"{subject} did not answer in time") from exc


def handlers(
    sources: list[Source], chunker: Chunker, caller: Caller | None = None
) -> dict[str, Handler]:
    """`<events>.<action>` of each source: its record's text into the ledger."""
    found: dict[str, Handler] = {}
    for source in sources:
        handle = functools.partial(
            ledger.apply_event, source=source, chunker=chunker, caller=caller
        )
        found.update({f"{source.events}.{action}": handle for action in ACTIONS})
    return found


def consumer_specs(
    registry: Registry,
    chunker: Chunker,
    *,
    batch_size: int,
    fetch_timeout: float,
    caller: Caller | None = None,
) -> list[ConsumerSpec]:
    specs = []
    for stream, sources in registry.streams().items():
        patience: dict[str, Any] = {}
        if any(source.fetch is not None for source in sources):
            patience = {"backoff": PATIENT_BACKOFF, "max_deliver": PATIENT_MAX_DELIVER}
        specs.append(
            ConsumerSpec(
                name=consumer_name(stream),
                stream=stream,
                filter_subjects=[s for source in sources for s in source.subjects],
                handlers=handlers(sources, chunker, caller),
                batch_size=batch_size,
                fetch_timeout=fetch_timeout,
                **patience,
            )
        )
    return specs
