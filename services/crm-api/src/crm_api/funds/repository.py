from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_api.funds.models import Fund
from crm_api.funds.schemas import FundFilter
from crm_api.kit.repository import Sorts, filter_common, like, page

SORTS: Sorts = {
    "position": (Fund.position, False),
    "-position": (Fund.position, True),
    "name": (Fund.name, False),
    "-name": (Fund.name, True),
    "vintage": (Fund.vintage_order, False),
    "-vintage": (Fund.vintage_order, True),
    "created_at": (Fund.created_at, False),
    "-created_at": (Fund.created_at, True),
    "updated_at": (Fund.updated_at, False),
    "-updated_at": (Fund.updated_at, True),
}


def get(session: Session, fund_id: str) -> Fund | None:
    return session.get(Fund, fund_id)


def live_with_name(session: Session, name_key: str) -> str | None:
    """The id of the live fund whose name casefolds to `name_key`."""
    return session.scalar(
        select(Fund.id).where(Fund.name_key == name_key, Fund.deleted_at.is_(None))
    )


def last_position(session: Session) -> int | None:
    return session.scalar(select(func.max(Fund.position)))


def filtered(session: Session, filters: FundFilter) -> Any:
    """The list's query with every filter applied (the list pages it, an export batches it)."""
    query: Any = filter_common(select(Fund), Fund, filters)
    if filters.q:
        query = query.where(func.lower(Fund.name).like(like(filters.q), escape="\\"))
    if filters.status is not None:
        query = query.where(Fund.status == filters.status)
    if filters.vintage is not None:
        query = query.where(Fund.vintage == filters.vintage)
    return query


def search(session: Session, *, filters: FundFilter) -> tuple[list[Fund], str | None, int]:
    return page(
        session,
        filtered(session, filters),
        model=Fund,
        sorts=SORTS,
        sort=filters.sort,
        params=filters,
    )
