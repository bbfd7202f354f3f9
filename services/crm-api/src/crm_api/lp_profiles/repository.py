"""The LP profiles' SQL: the list's filters and sorts, the profile of an investor, and the sums
of an investor's opportunities."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from crm_api.contacts.models import Contact
from crm_api.kit.repository import Sorts, filter_common, like, page
from crm_api.lp_profiles.models import LpProfile
from crm_api.lp_profiles.schemas import LpProfileFilter
from crm_api.opportunities.models import Opportunity
from crm_api.organizations.models import Organization

SORTS: Sorts = {
    "created_at": (LpProfile.created_at, False),
    "-created_at": (LpProfile.created_at, True),
    "updated_at": (LpProfile.updated_at, False),
    "-updated_at": (LpProfile.updated_at, True),
}


def get(session: Session, record_id: str) -> LpProfile | None:
    return session.get(LpProfile, record_id)


def live_for(
    session: Session, *, contact_id: str | None, organization_id: str | None
) -> LpProfile | None:
    """The live profile of the contact (when given) or else of the organization."""
    query = select(LpProfile).where(LpProfile.deleted_at.is_(None))
    if contact_id is not None:
        query = query.where(LpProfile.contact_id == contact_id)
    else:
        query = query.where(LpProfile.organization_id == organization_id)
    return session.scalars(query).first()


def other_live_for(session: Session, row: LpProfile) -> str | None:
    """The id of another live profile of `row`'s investor."""
    query = select(LpProfile.id).where(LpProfile.deleted_at.is_(None), LpProfile.id != row.id)
    if row.contact_id is not None:
        query = query.where(LpProfile.contact_id == row.contact_id)
    else:
        query = query.where(LpProfile.organization_id == row.organization_id)
    return session.scalar(query)


def opportunity_sums(
    session: Session, *, contact_id: str | None, organization_id: str | None
) -> Sequence[Row[str, Decimal | None, Decimal | None, Decimal | None, int]]:
    """(currency, expected, committed, funded, count) of the investor's live opportunities, per
    currency, summed by the database."""
    investor = (
        Opportunity.investor_contact_id == contact_id
        if contact_id is not None
        else Opportunity.investor_organization_id == organization_id
    )
    return session.execute(
        select(
            Opportunity.currency,
            func.coalesce(func.sum(Opportunity.expected_amount), 0),
            func.coalesce(func.sum(Opportunity.committed_amount), 0),
            func.coalesce(func.sum(Opportunity.funded_amount), 0),
            func.count(),
        )
        .where(investor, Opportunity.deleted_at.is_(None))
        .group_by(Opportunity.currency)
        .order_by(Opportunity.currency)
    ).all()


def filtered(session: Session, filters: LpProfileFilter) -> Any:
    """The list's query with every filter applied (the list pages it, an export batches it).
    LP profiles have no text of their own: `q` matches the investor's name (the contact's full
    name or the organization's name), case-insensitively."""
    query: Any = filter_common(select(LpProfile), LpProfile, filters)
    if filters.q:
        pattern = like(filters.q)
        # A profile has exactly one investor (the one_investor check), so these outer joins
        # add no rows: the other side is null.
        query = (
            query.outerjoin(Contact, LpProfile.contact_id == Contact.id)
            .outerjoin(Organization, LpProfile.organization_id == Organization.id)
            .where(
                func.lower(Contact.first_name + " " + Contact.last_name).like(pattern, escape="\\")
                | func.lower(Organization.name).like(pattern, escape="\\")
            )
        )
    for column, value in (
        (LpProfile.investor_type, filters.investor_type),
        (LpProfile.accreditation_status, filters.accreditation_status),
        (LpProfile.kyc_aml_status, filters.kyc_aml_status),
        (LpProfile.offering_exemption, filters.offering_exemption),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.accreditation_expires_before is not None:
        query = query.where(
            LpProfile.accreditation_expires_on < filters.accreditation_expires_before
        )
    return query


def search(
    session: Session, *, filters: LpProfileFilter
) -> tuple[list[LpProfile], str | None, int]:
    return page(
        session,
        filtered(session, filters),
        model=LpProfile,
        sorts=SORTS,
        sort=filters.sort,
        params=filters,
    )
