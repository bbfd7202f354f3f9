"""Stamping canonical ids: applying `resolver.entity.*` to crm-api's side table, and reading it.

Each entity's state replaces what crm-api held for it, when newer (its version). A record's
canonical id is the entity listing it with the latest `decided_at`, so events of different
entities arriving in any order settle on where the record really is. Nothing here touches a
record's versioned state, so nothing here publishes.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm_api.canonical import repository
from crm_api.canonical.models import CanonicalEntity, CanonicalLink
from crm_api.canonical.schemas import CanonicalRecord, CanonicalRef
from crm_common.contracts.resolver import ResolverEventData
from crm_common.events import CloudEvent


def apply(event: CloudEvent, session: Session) -> None:
    data = ResolverEventData.model_validate(event.data)
    for state in data.entities:
        row = repository.entity(session, state.id)
        if row is not None and row.version >= state.version:
            continue
        if row is None:
            row = CanonicalEntity(id=state.id)
            repository.add(session, row)
        row.kind = state.kind
        row.status = state.status
        row.merged_into = state.merged_into
        row.display_name = state.display_name[:400]
        row.is_lp = state.is_lp
        row.version = state.version
        row.updated_at = state.updated_at
        session.flush()
        repository.replace_links(
            session,
            state.id,
            [
                CanonicalLink(
                    source_kind=link.source_kind,
                    source_id=link.source_id,
                    entity_id=state.id,
                    match_kind=link.match_kind,
                    confidence=link.confidence,
                    decided_by=link.decided_by,
                    decided_at=link.decided_at,
                )
                for link in state.links
            ],
        )
        session.flush()


def canonical_for(session: Session, *, source_kind: str, source_id: str) -> CanonicalRef | None:
    link = repository.current_link(session, source_kind, source_id)
    if link is None:
        return None
    entity = repository.entity(session, link.entity_id)
    if entity is None:
        return None
    return CanonicalRef(
        entity_id=entity.id,
        kind=entity.kind,
        display_name=entity.display_name,
        status=entity.status,
        is_lp=entity.is_lp,
        records=[
            CanonicalRecord(
                source_kind=other.source_kind,
                source_id=other.source_id,
                match_kind=other.match_kind,
                confidence=other.confidence,
            )
            for other in repository.links_of(session, entity.id)
        ],
    )
