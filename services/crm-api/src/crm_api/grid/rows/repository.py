"""The SQL of grid rows, and of matching an investor by email or web domain (never by name)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_api.contacts.models import Contact, ContactEmail
from crm_api.grid.models import (
    GridRow,
)
from crm_api.opportunities.models import Opportunity
from crm_api.organizations.models import Organization, OrganizationDomain

_CHUNK = 500


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def get_row(session: Session, row_id: str, *, for_update: bool = False) -> GridRow | None:
    """The row; `for_update` locks it on PostgreSQL until the transaction ends, so two writers of
    one row cannot both pass the version check (SQLite's write transactions are serial)."""
    return session.get(GridRow, row_id, with_for_update=for_update or None)


def row_for_investor(
    session: Session, *, organization_id: str | None, contact_id: str | None
) -> GridRow | None:
    """The investor's row, deleted or not (there is at most one)."""
    if organization_id is not None:
        query = select(GridRow).where(GridRow.organization_id == organization_id)
    else:
        query = select(GridRow).where(GridRow.contact_id == contact_id)
    return session.scalars(query).first()


def rows_for_investors(
    session: Session, *, organization_ids: set[str], contact_ids: set[str]
) -> dict[str, tuple[str, bool]]:
    """Investor id -> (row id, whether the row is deleted)."""
    found: dict[str, tuple[str, bool]] = {}
    for column, ids in (
        (GridRow.organization_id, organization_ids),
        (GridRow.contact_id, contact_ids),
    ):
        for chunk in _chunks(sorted(ids)):
            for investor, row_id, deleted_at in session.execute(
                select(column, GridRow.id, GridRow.deleted_at).where(column.in_(chunk))
            ):
                if investor is not None:
                    found[investor] = (row_id, deleted_at is not None)
    return found


def last_position(session: Session) -> float | None:
    return session.scalar(select(func.max(GridRow.position)))


def list_rows(
    session: Session,
    *,
    deleted: str,
    investor_kind: str | None,
    organization_id: str | None,
    contact_id: str | None,
    after: str | None,
    limit: int,
) -> list[GridRow]:
    query = select(GridRow)
    if deleted == "exclude":
        query = query.where(GridRow.deleted_at.is_(None))
    elif deleted == "only":
        query = query.where(GridRow.deleted_at.is_not(None))
    if investor_kind is not None:
        query = query.where(GridRow.investor_kind == investor_kind)
    if organization_id is not None:
        query = query.where(GridRow.organization_id == organization_id)
    if contact_id is not None:
        query = query.where(GridRow.contact_id == contact_id)
    if after is not None:
        query = query.where(GridRow.id > after)
    return list(session.scalars(query.order_by(GridRow.id).limit(limit + 1)))


def live_opportunity_id(
    session: Session, *, organization_id: str | None, contact_id: str | None, fund_id: str
) -> str | None:
    """The id of the investor's live opportunity in the fund (there is at most one)."""
    investor = (
        Opportunity.investor_organization_id == organization_id
        if organization_id is not None
        else Opportunity.investor_contact_id == contact_id
    )
    return session.scalar(
        select(Opportunity.id).where(
            investor, Opportunity.fund_id == fund_id, Opportunity.deleted_at.is_(None)
        )
    )


def lock_opportunity(session: Session, opportunity_id: str) -> None:
    """Lock the opportunity's row until the transaction ends (PostgreSQL; a no-op on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(Opportunity.id).where(Opportunity.id == opportunity_id).with_for_update()
        )


def contacts_with_email(session: Session, email: str) -> list[Contact]:
    return list(
        session.scalars(
            select(Contact)
            .join(ContactEmail, ContactEmail.contact_id == Contact.id)
            .where(ContactEmail.email == email, ContactEmail.is_live.is_(True))
            .where(Contact.deleted_at.is_(None))
        )
    )


def organizations_with_domain(session: Session, domain: str) -> list[Organization]:
    return list(
        session.scalars(
            select(Organization)
            .join(OrganizationDomain, OrganizationDomain.organization_id == Organization.id)
            .where(OrganizationDomain.domain == domain, OrganizationDomain.is_live.is_(True))
            .where(Organization.deleted_at.is_(None))
        )
    )
