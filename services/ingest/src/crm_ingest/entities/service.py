"""Applying `resolver.entity.*` events: which canonical entity each source record belongs to.

Each event lists the full state of every entity it touched. For each, newer than the version
held (events may come in any order, and before or after the CRM's): its links claim their source
records, unless a later decision already gave a record to another entity; the records it no
longer lists (a split) lose it; a merged-away entity hands its records to its survivor. Every
record whose entity changed is re-stamped in the store (set_payload): nothing is re-embedded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from crm_common.contracts.resolver import EntityState, ResolverEventData
from crm_common.events import CloudEvent
from crm_ingest.entities import repository
from crm_ingest.entities.repository import Key, Link
from crm_ingest.ledger import repository as ledger
from crm_ingest.ledger.service import WAKE_KEY


def apply_event(cloud_event: CloudEvent, session: Session) -> None:
    data = ResolverEventData.model_validate(cloud_event.data)
    changed: set[Key] = set()
    for state in data.entities:
        changed |= apply_entity(session, state)
    if changed:
        ledger.mark_dirty(session, ledger.referencing(session, sorted(changed)))
        session.info[WAKE_KEY] = True


def apply_entity(session: Session, state: EntityState) -> set[Key]:
    """Apply one entity's state; returns the source records whose entity changed."""
    held = repository.get_entity(session, state.id)
    if held is not None and held.version >= state.version:
        return set()
    repository.save_entity(
        session,
        entity_id=state.id,
        version=state.version,
        status=state.status,
        merged_into=state.merged_into,
    )
    current = repository.links_of_entity(session, state.id)
    changed: set[Key] = set()
    if state.status == "merged" and state.merged_into:
        survivor = state.merged_into
        for key, value in current.items():
            repository.set_link(
                session, key, Link(survivor, value.confidence, value.decided_at), exists=True
            )
            changed.add(key)
        return changed
    claimed = {(link.source_kind, link.source_id): link for link in state.links}
    existing = repository.links(session, list(claimed))
    for key, entity_link in claimed.items():
        mine = Link(state.id, entity_link.confidence, _aware(entity_link.decided_at))
        other = existing.get(key)
        if other is not None and other.entity_id != state.id and other.decided_at > mine.decided_at:
            continue  # a later decision put it in another entity
        if other != mine:
            repository.set_link(session, key, mine, exists=other is not None)
            changed.add(key)
    for key in set(current) - set(claimed):
        repository.drop_link(session, key)
        changed.add(key)
    return changed


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def links_for(session: Session, keys: Sequence[Key]) -> dict[Key, Link]:
    """The entity each of these source records belongs to, where one does."""
    return repository.links(session, keys)
