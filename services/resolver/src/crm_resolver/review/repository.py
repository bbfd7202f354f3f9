from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from crm_resolver.entities.models import EntityLink
from crm_resolver.review.models import ReviewItem


def get(session: Session, item_id: str) -> ReviewItem | None:
    return session.get(ReviewItem, item_id)


def by_pair(session: Session, pair_key: str) -> ReviewItem | None:
    return session.scalars(select(ReviewItem).where(ReviewItem.pair_key == pair_key)).first()


def add(session: Session, item: ReviewItem) -> None:
    session.add(item)


def _with_entities(status: str) -> tuple[Any, Any, Any]:
    left = aliased(EntityLink)
    right = aliased(EntityLink)
    query = (
        select(ReviewItem, left.entity_id, right.entity_id)
        .join(
            left,
            and_(left.source_kind == ReviewItem.left_kind, left.source_id == ReviewItem.left_id),
        )
        .join(
            right,
            and_(
                right.source_kind == ReviewItem.right_kind, right.source_id == ReviewItem.right_id
            ),
        )
        .where(ReviewItem.status == status)
    )
    return query, left, right


def page(
    session: Session, *, status: str, entity_id: str | None, limit: int, offset: int
) -> tuple[list[tuple[ReviewItem, str, str]], int]:
    """Items of a status with the current entities of their two records, most probable first."""
    query, left, right = _with_entities(status)
    if entity_id is not None:
        query = query.where(or_(left.entity_id == entity_id, right.entity_id == entity_id))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(
        query.order_by(ReviewItem.probability.desc(), ReviewItem.created_at, ReviewItem.id)
        .limit(limit)
        .offset(offset)
    )
    return [(item, a, b) for item, a, b in rows], int(total or 0)


def open_within(session: Session, entity_id: str) -> list[ReviewItem]:
    """Open items whose two records are both in `entity_id` now."""
    query, left, right = _with_entities("open")
    rows = session.execute(query.where(left.entity_id == entity_id, right.entity_id == entity_id))
    return [item for item, _, _ in rows]


def open_between(session: Session, left_entity: str, right_entity: str) -> list[ReviewItem]:
    query, left, right = _with_entities("open")
    rows = session.execute(
        query.where(
            or_(
                and_(left.entity_id == left_entity, right.entity_id == right_entity),
                and_(left.entity_id == right_entity, right.entity_id == left_entity),
            )
        )
    )
    return [item for item, _, _ in rows]


def decided_by(session: Session, decision_id: str) -> list[ReviewItem]:
    return list(session.scalars(select(ReviewItem).where(ReviewItem.decision_id == decision_id)))
