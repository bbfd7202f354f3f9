"""The consumer of the resolver's canonical entities (`resolver.entity.*`): which entity each
source record belongs to, in the ledger (`service.apply_event`)."""

from __future__ import annotations

from crm_common.bus.consumer import ConsumerSpec, Handler
from crm_common.bus.streams import RESOLVER
from crm_ingest.entities import service as entities

RESOLVER_CONSUMER = "ingest-resolver"
RESOLVER_EVENTS = ("resolver.entity.upserted", "resolver.entity.merged", "resolver.entity.split")
HANDLERS: dict[str, Handler] = dict.fromkeys(RESOLVER_EVENTS, entities.apply_event)


def consumer_spec(*, batch_size: int, fetch_timeout: float) -> ConsumerSpec:
    return ConsumerSpec(
        name=RESOLVER_CONSUMER,
        stream=RESOLVER.name,
        filter_subjects=list(RESOLVER.subjects),
        handlers=HANDLERS,
        batch_size=batch_size,
        fetch_timeout=fetch_timeout,
    )
