"""The consumers of the CRM's records: one durable consumer per stream the sources read (CRM
today; GMAIL once a gmail source is registered), each event type handled by `service.apply_event`
for its source. They only write the ledger; the indexer embeds afterwards.
"""

from __future__ import annotations

import functools

from crm_common.bus.consumer import ConsumerSpec, Handler
from crm_ingest.chunking.service import Chunker
from crm_ingest.ledger import service as ledger
from crm_ingest.sources.base import Source
from crm_ingest.sources.registry import Registry

ACTIONS = ("created", "updated", "deleted", "restored", "purged", "snapshot")


def consumer_name(stream: str) -> str:
    return f"ingest-{stream.lower()}"


def handlers(sources: list[Source], chunker: Chunker) -> dict[str, Handler]:
    """`<events>.<action>` of each source: its record's text into the ledger."""
    found: dict[str, Handler] = {}
    for source in sources:
        handle = functools.partial(ledger.apply_event, source=source, chunker=chunker)
        found.update({f"{source.events}.{action}": handle for action in ACTIONS})
    return found


def consumer_specs(
    registry: Registry, chunker: Chunker, *, batch_size: int, fetch_timeout: float
) -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            name=consumer_name(stream),
            stream=stream,
            filter_subjects=[s for source in sources for s in source.subjects],
            handlers=handlers(sources, chunker),
            batch_size=batch_size,
            fetch_timeout=fetch_timeout,
        )
        for stream, sources in registry.streams().items()
    ]
