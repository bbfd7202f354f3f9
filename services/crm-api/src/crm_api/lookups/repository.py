"""The managed lists' SQL."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_api.lookups.models import LookupValue


def get(session: Session, list_name: str, value: str) -> LookupValue | None:
    return session.get(LookupValue, (list_name, value))


def values(session: Session, list_name: str) -> list[LookupValue]:
    return list(
        session.scalars(
            select(LookupValue)
            .where(LookupValue.list_name == list_name)
            .order_by(LookupValue.position, LookupValue.value)
        )
    )


def last_position(session: Session, list_name: str) -> int | None:
    return session.scalar(
        select(func.max(LookupValue.position)).where(LookupValue.list_name == list_name)
    )


def add(session: Session, row: LookupValue) -> None:
    session.add(row)
    session.flush()
