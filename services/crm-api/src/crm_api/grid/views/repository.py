"""The SQL of saved views."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crm_api.grid.models import (
    GridList,
    GridView,
)


def get_view(session: Session, view_id: str) -> GridView | None:
    return session.get(GridView, view_id)


def views(session: Session, *, user_id: str, scope: str, deleted: str) -> list[GridView]:
    query = select(GridView)
    if scope == "mine":
        query = query.where(GridView.owner_id == user_id)
    elif scope == "shared":
        query = query.where(GridView.is_shared.is_(True))
    else:
        query = query.where(or_(GridView.owner_id == user_id, GridView.is_shared.is_(True)))
    if deleted == "exclude":
        query = query.where(GridView.deleted_at.is_(None))
    elif deleted == "only":
        query = query.where(GridView.deleted_at.is_not(None))
    return list(session.scalars(query.order_by(GridView.name, GridView.id)))


def list_exists(session: Session, key: str) -> bool:
    return (
        session.scalar(
            select(GridList.id).where(GridList.key == key, GridList.deleted_at.is_(None))
        )
        is not None
    )
