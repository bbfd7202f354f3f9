"""The follow-ups' SQL: the list's filters and sorts, and the open follow-ups of a record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_api.followups.models import FollowUp
from crm_api.followups.schemas import FollowUpFilter, FollowUpStatus
from crm_api.kit.repository import Sorts, filter_common, like, page

SORTS: Sorts = {
    "due_date": (FollowUp.due_date, False),
    "-due_date": (FollowUp.due_date, True),
    "created_at": (FollowUp.created_at, False),
    "-created_at": (FollowUp.created_at, True),
    "updated_at": (FollowUp.updated_at, False),
    "-updated_at": (FollowUp.updated_at, True),
}


def get(session: Session, record_id: str) -> FollowUp | None:
    return session.get(FollowUp, record_id)


def filtered(session: Session, filters: FollowUpFilter) -> Any:
    """The list's query with every filter applied (the list pages it, an export batches it)."""
    today = datetime.now(UTC).date()
    query: Any = filter_common(select(FollowUp), FollowUp, filters)
    if filters.q:
        query = query.where(func.lower(FollowUp.title).like(like(filters.q), escape="\\"))
    for column, value in (
        (FollowUp.status, filters.status),
        (FollowUp.owner_id, filters.owner_id),
        (FollowUp.contact_id, filters.contact_id),
        (FollowUp.organization_id, filters.organization_id),
        (FollowUp.opportunity_id, filters.opportunity_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.due_before is not None:
        query = query.where(FollowUp.due_date <= filters.due_before)
    if filters.overdue is True:
        query = query.where(FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_date < today)
    elif filters.overdue is False:
        query = query.where((FollowUp.status != FollowUpStatus.OPEN) | (FollowUp.due_date >= today))
    return query


def search(session: Session, *, filters: FollowUpFilter) -> tuple[list[FollowUp], str | None, int]:
    return page(
        session,
        filtered(session, filters),
        model=FollowUp,
        sorts=SORTS,
        sort=filters.sort,
        params=filters,
    )


def open_for(
    session: Session, *, contact_id: str | None, organization_id: str | None
) -> list[FollowUp]:
    """The live open follow-ups on a contact or an organization, soonest due first."""
    query = select(FollowUp).where(
        FollowUp.deleted_at.is_(None), FollowUp.status == FollowUpStatus.OPEN.value
    )
    if contact_id is not None:
        query = query.where(FollowUp.contact_id == contact_id)
    if organization_id is not None:
        query = query.where(FollowUp.organization_id == organization_id)
    return list(session.scalars(query.order_by(FollowUp.due_date, FollowUp.id)))
