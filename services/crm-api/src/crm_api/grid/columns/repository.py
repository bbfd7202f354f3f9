"""The SQL of the grid's columns: the live funds, then the custom columns."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_api.funds.models import Fund
from crm_api.grid.models import (
    GridColumn,
    GridRow,
)


def live_funds(session: Session) -> list[Fund]:
    return list(
        session.scalars(
            select(Fund).where(Fund.deleted_at.is_(None)).order_by(Fund.position, Fund.id)
        )
    )


def get_column(session: Session, column_id: str) -> GridColumn | None:
    return session.get(GridColumn, column_id)


def column_with_key(session: Session, key: str) -> GridColumn | None:
    return session.scalars(select(GridColumn).where(GridColumn.key == key)).first()


def columns(session: Session, *, include_deleted: bool = False) -> list[GridColumn]:
    query = select(GridColumn)
    if not include_deleted:
        query = query.where(GridColumn.deleted_at.is_(None))
    return list(session.scalars(query.order_by(GridColumn.position, GridColumn.key)))


def last_column_position(session: Session) -> int | None:
    return session.scalar(select(func.max(GridColumn.position)))


def rows_with_value(session: Session, key: str) -> int:
    """How many rows (live or deleted) hold a value under the custom column `key`."""
    return sum(1 for (values,) in session.execute(select(GridRow.values)) if key in (values or {}))
