from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from crm_resolver.entities.models import Entity, EntityLink
from crm_resolver.refs import Ref


def get(session: Session, entity_id: str) -> Entity | None:
    return session.get(Entity, entity_id)


def get_many(session: Session, entity_ids: Iterable[str]) -> dict[str, Entity]:
    ids = list(set(entity_ids))
    found: dict[str, Entity] = {}
    for start in range(0, len(ids), 500):
        rows = session.scalars(select(Entity).where(Entity.id.in_(ids[start : start + 500])))
        found.update({e.id: e for e in rows})
    return found


def add(session: Session, entity: Entity) -> None:
    session.add(entity)


def link(session: Session, ref: Ref) -> EntityLink | None:
    return session.get(EntityLink, (ref.kind, ref.id))


def add_link(session: Session, link: EntityLink) -> None:
    session.add(link)


def delete_link(session: Session, ref: Ref) -> None:
    session.execute(
        delete(EntityLink).where(EntityLink.source_kind == ref.kind, EntityLink.source_id == ref.id)
    )


def links_of(session: Session, entity_id: str) -> list[EntityLink]:
    return list(
        session.scalars(
            select(EntityLink)
            .where(EntityLink.entity_id == entity_id)
            .order_by(EntityLink.source_kind, EntityLink.source_id)
        )
    )


def links_of_many(session: Session, entity_ids: Iterable[str]) -> list[EntityLink]:
    ids = sorted(set(entity_ids))
    found: list[EntityLink] = []
    for start in range(0, len(ids), 500):
        found.extend(
            session.scalars(
                select(EntityLink)
                .where(EntityLink.entity_id.in_(ids[start : start + 500]))
                .order_by(EntityLink.entity_id, EntityLink.source_kind, EntityLink.source_id)
            )
        )
    return found


def entities_of(session: Session, refs: Iterable[Ref]) -> dict[Ref, str]:
    wanted = list(set(refs))
    found: dict[Ref, str] = {}
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(EntityLink.source_kind, EntityLink.source_id, EntityLink.entity_id).where(
                tuple_(EntityLink.source_kind, EntityLink.source_id).in_(
                    wanted[start : start + 500]
                )
            )
        )
        found.update({Ref(kind, sid): eid for kind, sid, eid in rows})
    return found


def all_entity_ids(session: Session) -> list[str]:
    return list(session.scalars(select(Entity.id).order_by(Entity.id)))
