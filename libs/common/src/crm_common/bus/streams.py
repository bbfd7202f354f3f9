"""The JetStream streams, created or updated idempotently at startup.

Request-reply subjects (`resolver.resolve`, `gmail.thread`, `search.query`) must stay outside
every stream: a stream that captured them would answer each request with a PubAck. So the
streams take only the event subjects: `crm.>`, `gmail.message.>`, `resolver.entity.>`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

logger = logging.getLogger(__name__)

# Covers the relay's republish window after a server restart (outbox.REPUBLISH_WINDOW) with room
# to spare, so a republished event that the server did keep is dropped as a duplicate.
DUPLICATE_WINDOW_S = 600.0


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subjects: tuple[str, ...]
    description: str


CRM = StreamSpec("CRM", ("crm.>",), "Changes to the CRM's aggregates, with full state")
GMAIL = StreamSpec("GMAIL", ("gmail.message.>",), "Synced email messages")
RESOLVER = StreamSpec(
    "RESOLVER", ("resolver.entity.>",), "Canonical entities: upserts, merges, splits"
)
DLQ = StreamSpec("DLQ", ("dlq.>",), "Messages a consumer gave up on, with the error")

STREAMS: tuple[StreamSpec, ...] = (CRM, GMAIL, RESOLVER, DLQ)


def stream_config(spec: StreamSpec, *, replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=spec.name,
        description=spec.description,
        subjects=list(spec.subjects),
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        duplicate_window=DUPLICATE_WINDOW_S,
        num_replicas=replicas,
    )


def _differs(current: StreamConfig, wanted: StreamConfig) -> bool:
    return (
        sorted(current.subjects or []) != sorted(wanted.subjects or [])
        or current.description != wanted.description
        or (current.duplicate_window or 0) != wanted.duplicate_window
        or current.num_replicas != wanted.num_replicas
    )


async def ensure_streams(
    js: JetStreamContext,
    specs: tuple[StreamSpec, ...] = STREAMS,
    *,
    replicas: int = 1,
) -> None:
    """Create each stream, or update it when its configuration differs. Safe to run concurrently."""
    for spec in specs:
        wanted = stream_config(spec, replicas=replicas)
        try:
            info = await js.stream_info(spec.name)
        except NotFoundError:
            try:
                await js.add_stream(wanted)
                logger.info("created stream %s", spec.name)
                continue
            except BadRequestError:
                # Another service created it between our look and our add.
                info = await js.stream_info(spec.name)
        if _differs(info.config, wanted):
            await js.update_stream(wanted)
            logger.info("updated stream %s", spec.name)
