"""The payload of a record's points: everything a search filters on or shows, none of it
embedded. It is computed when the indexer writes, from the ledger as it is then (the record, the
names and funds of what it refers to, their canonical entities), so a payload never lags an event
the ledger has applied."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from crm_ingest.entities import service as entities
from crm_ingest.ledger import repository
from crm_ingest.ledger.repository import Key
from crm_ingest.sources.registry import Registry

# The payload keys a re-stamp rewrites; `text`, `chunk_no` and `redactions` belong to each chunk.
CHUNK_KEYS = ("text", "chunk_no", "redactions")


def record_payloads(
    session: Session, keys: Sequence[Key], registry: Registry
) -> dict[Key, dict[str, Any]]:
    rows = repository.records(session, keys)
    refs = repository.refs_of(session, list(rows))
    targets = sorted({t for found in refs.values() for t in found})
    target_rows = repository.records(session, targets)
    opportunity_funds = {
        key: row.fund_id
        for key, row in target_rows.items()
        if key[0] == "opportunity" and row.fund_id
    }
    links = entities.links_for(session, targets)
    payloads: dict[Key, dict[str, Any]] = {}
    for key, row in rows.items():
        mine = refs.get(key, [])

        def ids(kind: str, mine: list[Key] = mine) -> list[str]:
            return [i for k, i in mine if k == kind]

        funds = set(ids("fund")) | {
            opportunity_funds[("opportunity", o)]
            for o in ids("opportunity")
            if ("opportunity", o) in opportunity_funds
        }
        if row.fund_id:
            funds.add(row.fund_id)
        entity_links = [
            {
                "entity_id": links[target].entity_id,
                "kind": target[0],
                "id": target[1],
                "confidence": links[target].confidence,
            }
            for target in mine
            if target in links
        ]
        names = [
            target_rows[t].label
            for t in mine
            if t[0] in ("contact", "organization", "fund")
            and t in target_rows
            and target_rows[t].label
        ]
        author = target_rows.get(("user", row.author_id)) if row.author_id else None
        payloads[key] = {
            "source_kind": key[0],
            "source_id": key[1],
            "source_version": int(row.version),
            "crm_path": registry.crm_path(key[0], key[1]),
            "title": row.title,
            "type": row.type,
            "date_ts": int(row.event_at.timestamp()),
            "event_at": row.event_at.isoformat(),
            "author_id": row.author_id,
            "author_name": author.label if author is not None else None,
            "contact_ids": ids("contact"),
            "organization_ids": ids("organization"),
            "opportunity_ids": ids("opportunity"),
            "fund_ids": sorted(funds),
            # Canonical entities: those of the records it refers to, and those it names itself
            # (an email's matched participants).
            "entity_ids": sorted({link["entity_id"] for link in entity_links} | set(ids("entity"))),
            "entity_links": entity_links,
            "entity_confidence": min(
                (links[t].confidence for t in mine if t in links), default=None
            ),
            "names": sorted(set(names)),
        }
    return payloads
