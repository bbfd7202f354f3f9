"""The custom fields' SQL: the definitions, and the values records of an entity hold."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from crm_api.custom_fields.models import CustomField
from crm_api.custom_fields.schemas import CustomFieldFilter


def get(session: Session, field_id: str) -> CustomField | None:
    return session.get(CustomField, field_id)


def definitions(session: Session, *, filters: CustomFieldFilter) -> list[CustomField]:
    query = select(CustomField).order_by(CustomField.entity, CustomField.position, CustomField.key)
    if filters.entity is not None:
        query = query.where(CustomField.entity == filters.entity)
    if filters.is_active is not None:
        query = query.where(CustomField.is_active.is_(filters.is_active))
    return list(session.scalars(query))


def of_entity(session: Session, entity: str) -> list[CustomField]:
    return list(session.scalars(select(CustomField).where(CustomField.entity == entity)))


def id_of(session: Session, entity: str, key: str) -> str | None:
    return session.scalar(
        select(CustomField.id).where(CustomField.entity == entity, CustomField.key == key)
    )


def last_position(session: Session, entity: str) -> int | None:
    return session.scalar(
        select(func.max(CustomField.position)).where(CustomField.entity == entity)
    )


def add(session: Session, row: CustomField) -> None:
    session.add(row)
    session.flush()


def values_held(
    session: Session, column: InstrumentedAttribute[dict[str, Any]]
) -> Iterator[dict[str, Any] | None]:
    """The custom field values of every record (live or deleted) that `column` belongs to."""
    yield from session.scalars(select(column))
