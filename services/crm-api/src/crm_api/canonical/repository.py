from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crm_api.canonical.models import CanonicalEntity, CanonicalLink


def entity(session: Session, entity_id: str) -> CanonicalEntity | None:
    return session.get(CanonicalEntity, entity_id)


def add(session: Session, row: CanonicalEntity | CanonicalLink) -> None:
    session.add(row)


def replace_links(session: Session, entity_id: str, links: Iterable[CanonicalLink]) -> None:
    session.execute(delete(CanonicalLink).where(CanonicalLink.entity_id == entity_id))
    session.add_all(links)


def current_link(session: Session, source_kind: str, source_id: str) -> CanonicalLink | None:
    return session.scalars(
        select(CanonicalLink)
        .where(CanonicalLink.source_kind == source_kind, CanonicalLink.source_id == source_id)
        .order_by(CanonicalLink.decided_at.desc(), CanonicalLink.entity_id)
        .limit(1)
    ).first()


def links_of(session: Session, entity_id: str) -> list[CanonicalLink]:
    return list(
        session.scalars(
            select(CanonicalLink)
            .where(CanonicalLink.entity_id == entity_id)
            .order_by(CanonicalLink.source_kind, CanonicalLink.source_id)
        )
    )
