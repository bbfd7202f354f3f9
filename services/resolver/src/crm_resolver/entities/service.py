"""Canonical entities: their links, their published state, and the redirect of merged ids.

A change marks the entities it touched dirty (`mark_dirty`); at the end of the handler or request
`publish_dirty` renders each one's state and, when it differs from the last one published, bumps
its version and writes `resolver.entity.upserted` to the outbox in the same transaction. Merges and
splits publish their own `merged` / `split` event with every entity they touched (`publish`).

A link is live while its record is (a soft-deleted record's link is kept, hidden, for its
restore). A link whose record the resolver has not seen yet is a placeholder made by a dependent
record (an LP profile of a contact not seen yet): the CRM's foreign key proves the record exists.
An entity without a live link is `inactive`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from crm_common.contracts.resolver import (
    EntityLink as LinkState,
)
from crm_common.contracts.resolver import (
    EntityOrRecord,
    EntityState,
    LinkedRecord,
    ResolverEventData,
)
from crm_common.events import Actor
from crm_common.outbox import record_change
from crm_resolver.context import SERVICE_ACTOR, SOURCE, Context
from crm_resolver.database import utcnow
from crm_resolver.entities import repository
from crm_resolver.entities.errors import EntityNotFound, RecordNotLinked
from crm_resolver.entities.models import Entity, EntityLink
from crm_resolver.refs import Ref
from crm_resolver.sources import service as sources
from crm_resolver.sources.models import SourceRecord

_DIRTY = "crm_resolver.dirty_entities"
_LABEL_ORDER = {"contact": 0, "organization": 0, "email_participant": 1, "grid_row": 2}


def mark_dirty(session: Session, *entity_ids: str | None) -> None:
    dirty: set[str] = session.info.setdefault(_DIRTY, set())
    dirty.update(e for e in entity_ids if e)


def discard_dirty(session: Session) -> None:
    session.info.pop(_DIRTY, None)


def create(session: Session, *, kind: str) -> Entity:
    entity = Entity(kind=kind, status="active", version=0, created_at=utcnow())
    repository.add(session, entity)
    session.flush()
    mark_dirty(session, entity.id)
    return entity


def get(session: Session, entity_id: str) -> Entity:
    entity = repository.get(session, entity_id)
    if entity is None:
        raise EntityNotFound(f"no entity {entity_id}")
    return entity


def get_many(session: Session, entity_ids: Iterable[str]) -> dict[str, Entity]:
    return repository.get_many(session, entity_ids)


def current(session: Session, entity_id: str) -> tuple[Entity, str | None]:
    """The entity, following merges to the survivor; and the id asked for when it redirected."""
    entity = get(session, entity_id)
    seen = {entity.id}
    while entity.status == "merged" and entity.merged_into:
        entity = get(session, entity.merged_into)
        if entity.id in seen:  # a cycle cannot be written; refuse to loop on one anyway
            break
        seen.add(entity.id)
    return entity, (entity_id if entity.id != entity_id else None)


def current_id(session: Session, entity_id: str) -> str:
    return current(session, entity_id)[0].id


def find(session: Session, target: EntityOrRecord) -> tuple[Entity, str | None]:
    """The current entity of an entity id or of a source record."""
    if target.entity_id is not None:
        return current(session, target.entity_id)
    assert target.source is not None
    link = link_of(session, Ref(target.source.source_kind, target.source.source_id))
    if link is None:
        raise RecordNotLinked(
            f"no entity holds {target.source.source_kind} {target.source.source_id}"
        )
    return current(session, link.entity_id)


def link_of(session: Session, ref: Ref) -> EntityLink | None:
    return repository.link(session, ref)


def entity_of(session: Session, ref: Ref) -> str | None:
    link = repository.link(session, ref)
    return link.entity_id if link else None


def entities_of(session: Session, refs: Iterable[Ref]) -> dict[Ref, str]:
    return repository.entities_of(session, refs)


def links_of(session: Session, entity_id: str) -> list[EntityLink]:
    return repository.links_of(session, entity_id)


def links_of_many(session: Session, entity_ids: Iterable[str]) -> list[EntityLink]:
    return repository.links_of_many(session, entity_ids)


def attach(
    session: Session,
    *,
    ref: Ref,
    entity_id: str,
    match_kind: str,
    confidence: float,
    decided_by: str,
) -> str | None:
    """Put `ref` in the entity (creating or moving its link); returns the entity it left."""
    link = repository.link(session, ref)
    previous = link.entity_id if link else None
    if link is None:
        link = EntityLink(source_kind=ref.kind, source_id=ref.id, entity_id=entity_id)
        repository.add_link(session, link)
    link.entity_id = entity_id
    link.match_kind = match_kind
    link.confidence = round(float(confidence), 6)
    link.decided_by = decided_by
    link.decided_at = utcnow()
    session.flush()
    mark_dirty(session, previous, entity_id)
    return previous if previous != entity_id else None


def detach(session: Session, *, ref: Ref) -> str | None:
    """Remove a purged record's link; returns the entity it was in."""
    link = repository.link(session, ref)
    if link is None:
        return None
    entity_id = link.entity_id
    repository.delete_link(session, ref)
    session.flush()
    mark_dirty(session, entity_id)
    return entity_id


def holds_only_dependents(session: Session, entity_id: str, *, besides: Ref) -> bool:
    """True when the entity holds nothing that says who it is but `besides`: LP profiles, grid
    rows and placeholder links only. Such an entity was made for a record not seen yet."""
    links = [link for link in repository.links_of(session, entity_id) if _ref(link) != besides]
    records = sources.get_many(session, [_ref(link) for link in links])
    return not any(
        ref in records and records[ref].entity_kind is not None
        for ref in (_ref(link) for link in links)
    )


def _ref(link: EntityLink) -> Ref:
    return Ref(link.source_kind, link.source_id)


# -- state --------------------------------------------------------------------------------------


def _is_live(record: SourceRecord | None) -> bool:
    return record is None or record.is_live


def _refresh(
    session: Session, ctx: Context, entity: Entity
) -> tuple[list[EntityLink], dict[Ref, SourceRecord]]:
    links = repository.links_of(session, entity.id)
    records = sources.get_many(session, [_ref(link) for link in links])
    live = [link for link in links if _is_live(records.get(_ref(link)))]
    if entity.status != "merged":
        entity.status = "active" if live else "inactive"
    entity.is_lp = entity.status == "active" and any(
        link.source_kind == "lp_profile" for link in live
    )
    labelled = sorted(
        (
            (
                _LABEL_ORDER.get(link.source_kind, 3),
                records[_ref(link)].first_seen_at,
                link.source_id,
                records[_ref(link)].label,
            )
            for link in live
            if _ref(link) in records
            and records[_ref(link)].label
            and link.source_kind in _LABEL_ORDER
        ),
    )
    if labelled:
        entity.display_name = labelled[0][3]
    return live, records


def state(session: Session, ctx: Context, entity: Entity) -> EntityState:
    live, records = _refresh(session, ctx, entity)
    if entity.status == "merged":
        live = []
    emails: set[str] = set()
    domains: set[str] = set()
    for link in live:
        record = records.get(_ref(link))
        if record is None:
            continue
        if record.entity_kind == "person":
            emails.update(record.attrs.get("emails") or [])
        elif record.entity_kind == "organization":
            domains.update(d for d in record.attrs.get("domains") or [] if d not in ctx.free_mail)
    if entity.kind == "person":
        domains.update(sources.person_domains(ctx, emails))
    return EntityState(
        id=entity.id,
        kind=entity.kind,
        status=entity.status,
        merged_into=entity.merged_into if entity.status == "merged" else None,
        display_name=entity.display_name,
        emails=sorted(emails),
        domains=sorted(domains),
        links=[
            LinkState(
                source_kind=link.source_kind,
                source_id=link.source_id,
                match_kind=link.match_kind,
                confidence=link.confidence,
                decided_by=link.decided_by,
                decided_at=link.decided_at,
            )
            for link in live
        ],
        is_lp=entity.is_lp,
        version=max(entity.version, 1),
        updated_at=entity.updated_at,
    )


def linked_records(session: Session, entity: Entity) -> list[LinkedRecord]:
    links = repository.links_of(session, entity.id)
    records = sources.get_many(session, [_ref(link) for link in links])
    found = []
    for link in links:
        record = records.get(_ref(link))
        found.append(
            LinkedRecord(
                link=LinkState(
                    source_kind=link.source_kind,
                    source_id=link.source_id,
                    match_kind=link.match_kind,
                    confidence=link.confidence,
                    decided_by=link.decided_by,
                    decided_at=link.decided_at,
                ),
                label=(record.label if record else "") or link.source_id,
                is_live=_is_live(record),
            )
        )
    return found


def _content(state: EntityState) -> dict[str, Any]:
    # What a change is: everything but the bookkeeping; a link's decided_at moves with the link.
    return state.model_dump(mode="json", exclude={"version", "updated_at"})


def _digest(state: EntityState) -> str:
    return hashlib.sha256(json.dumps(_content(state), sort_keys=True).encode()).hexdigest()


# -- publishing ---------------------------------------------------------------------------------


def publish(
    session: Session,
    ctx: Context,
    *,
    entities: list[Entity],
    action: str,
    actor: Actor = SERVICE_ACTOR,
    decision_id: str | None = None,
) -> list[EntityState]:
    """Publish `resolver.entity.<action>` with the state of each of `entities` (first = subject),
    each at a new version."""
    now = utcnow()
    states = []
    for entity in entities:
        rendered = state(session, ctx, entity)
        entity.version += 1
        entity.updated_at = now
        entity.state_hash = _digest(rendered)
        states.append(rendered.model_copy(update={"version": entity.version, "updated_at": now}))
    session.flush()
    record_change(
        session,
        source=SOURCE,
        event_type=f"resolver.entity.{action}",
        aggregate_id=states[0].id,
        version=states[0].version,
        data=ResolverEventData(entities=states, decision_id=decision_id).model_dump(mode="json"),
        actor=actor,
    )
    dirty: set[str] = session.info.get(_DIRTY, set())
    dirty.difference_update(e.id for e in entities)
    return states


def publish_dirty(session: Session, ctx: Context, *, actor: Actor = SERVICE_ACTOR) -> int:
    """Publish `upserted` for every dirty entity whose state changed; returns how many."""
    dirty: set[str] = session.info.pop(_DIRTY, set())
    published = 0
    for entity_id in sorted(dirty):
        entity = repository.get(session, entity_id)
        if entity is None:
            continue
        rendered = state(session, ctx, entity)
        if entity.version > 0 and _digest(rendered) == entity.state_hash:
            continue
        publish(session, ctx, entities=[entity], action="upserted", actor=actor)
        published += 1
    session.info.pop(_DIRTY, None)
    return published
