"""The communications' SQL: the list's filters and sorts, and the newest of a record's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from crm_api.communications.models import Communication, CommunicationAttendee
from crm_api.communications.schemas import CommunicationFilter
from crm_api.kit.repository import Sorts, filter_common, like, page, page_rows

SORTS: Sorts = {
    "-occurred_at": (Communication.occurred_at, True),
    "occurred_at": (Communication.occurred_at, False),
    "-created_at": (Communication.created_at, True),
    "created_at": (Communication.created_at, False),
    "-updated_at": (Communication.updated_at, True),
    "updated_at": (Communication.updated_at, False),
}


def get(session: Session, record_id: str) -> Communication | None:
    return session.get(Communication, record_id)


def filtered(session: Session, filters: CommunicationFilter) -> Any:
    """The list's query with every filter applied (the list pages it, an export batches it)."""
    query: Any = filter_common(select(Communication), Communication, filters)
    if filters.q:
        pattern = like(filters.q)
        query = query.where(
            func.lower(Communication.subject).like(pattern, escape="\\")
            | func.lower(Communication.body).like(pattern, escape="\\")
        )
    if filters.type is not None:
        query = query.where(Communication.type == filters.type)
    if filters.contact_id is not None:
        # A union, not an OR over a subquery: each side has its index, and an OR defeats both.
        query = query.where(
            Communication.id.in_(
                union(
                    select(Communication.id).where(Communication.contact_id == filters.contact_id),
                    select(CommunicationAttendee.communication_id).where(
                        CommunicationAttendee.contact_id == filters.contact_id
                    ),
                )
            )
        )
    if filters.organization_id is not None:
        query = query.where(Communication.organization_id == filters.organization_id)
    if filters.opportunity_id is not None:
        query = query.where(Communication.opportunity_id == filters.opportunity_id)
    if filters.occurred_after is not None:
        query = query.where(Communication.occurred_at >= filters.occurred_after)
    if filters.occurred_before is not None:
        query = query.where(Communication.occurred_at < filters.occurred_before)
    return query


def search(
    session: Session, *, filters: CommunicationFilter
) -> tuple[list[Communication], str | None, int]:
    return page(
        session,
        filtered(session, filters),
        model=Communication,
        sorts=SORTS,
        sort=filters.sort,
        params=filters,
    )


def first_page(session: Session, *, filters: CommunicationFilter) -> list[Communication]:
    """The first page of the list, without its total (counting a long history is most of the
    cost)."""
    rows, _ = page_rows(
        session,
        filtered(session, filters),
        model=Communication,
        sorts=SORTS,
        sort=filters.sort,
        params=filters,
    )
    return rows
