"""All SQL on the canonical-entity tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select, tuple_, update
from sqlalchemy.orm import Session

from crm_ingest.entities.models import entity, link

Key = tuple[str, str]


@dataclass(frozen=True)
class Link:
    entity_id: str
    confidence: float
    decided_at: datetime


def get_entity(session: Session, entity_id: str) -> Row[Any] | None:
    return session.execute(select(entity).where(entity.c.entity_id == entity_id)).first()


def save_entity(
    session: Session, *, entity_id: str, version: int, status: str, merged_into: str | None
) -> None:
    values = {
        "version": version,
        "status": status,
        "merged_into": merged_into,
        "updated_at": datetime.now(UTC),
    }
    if get_entity(session, entity_id) is None:
        session.execute(insert(entity).values(entity_id=entity_id, **values))
    else:
        session.execute(update(entity).where(entity.c.entity_id == entity_id).values(**values))


def links_of_entity(session: Session, entity_id: str) -> dict[Key, Link]:
    rows = session.execute(select(link).where(link.c.entity_id == entity_id))
    return {(r.link_kind, r.link_id): Link(r.entity_id, r.confidence, r.decided_at) for r in rows}


def links(session: Session, keys: Sequence[Key]) -> dict[Key, Link]:
    found: dict[Key, Link] = {}
    keys = list(keys)
    for start in range(0, len(keys), 500):
        rows = session.execute(
            select(link).where(
                tuple_(link.c.link_kind, link.c.link_id).in_(keys[start : start + 500])
            )
        )
        found.update(
            {(r.link_kind, r.link_id): Link(r.entity_id, r.confidence, r.decided_at) for r in rows}
        )
    return found


def set_link(session: Session, key: Key, value: Link, *, exists: bool) -> None:
    values = {
        "entity_id": value.entity_id,
        "confidence": value.confidence,
        "decided_at": value.decided_at,
    }
    if exists:
        session.execute(
            update(link)
            .where(link.c.link_kind == key[0], link.c.link_id == key[1])
            .values(**values)
        )
    else:
        session.execute(insert(link).values(link_kind=key[0], link_id=key[1], **values))


def drop_link(session: Session, key: Key) -> None:
    session.execute(delete(link).where(link.c.link_kind == key[0], link.c.link_id == key[1]))
