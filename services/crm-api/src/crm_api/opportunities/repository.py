from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_api.contacts.models import Contact
from crm_api.funds.models import Fund
from crm_api.kit.repository import Sorts, filter_common, like, page
from crm_api.opportunities.models import Opportunity, opportunity_tag
from crm_api.opportunities.schemas import OpportunityFilter
from crm_api.organizations.models import Organization

SORTS: Sorts = {
    "created_at": (Opportunity.created_at, False),
    "-created_at": (Opportunity.created_at, True),
    "updated_at": (Opportunity.updated_at, False),
    "-updated_at": (Opportunity.updated_at, True),
}


def get(session: Session, opportunity_id: str) -> Opportunity | None:
    return session.get(Opportunity, opportunity_id)


def live_for(
    session: Session,
    *,
    investor_organization_id: str | None,
    investor_contact_id: str | None,
    fund_id: str,
) -> str | None:
    """The id of the live opportunity of this investor in this fund."""
    return session.scalar(
        select(Opportunity.id).where(
            Opportunity.investor_organization_id == investor_organization_id
            if investor_organization_id is not None
            else Opportunity.investor_contact_id == investor_contact_id,
            Opportunity.fund_id == fund_id,
            Opportunity.deleted_at.is_(None),
        )
    )


def count_in_fund(session: Session, fund_id: str) -> int:
    """Opportunities in the fund, deleted ones included."""
    return int(
        session.scalar(
            select(func.count()).select_from(Opportunity).where(Opportunity.fund_id == fund_id)
        )
        or 0
    )


def filtered(session: Session, filters: OpportunityFilter) -> Any:
    """The list's query with every filter applied (the list pages it, an export batches it)."""
    query: Any = filter_common(select(Opportunity), Opportunity, filters)
    if filters.q:
        pattern = like(filters.q)
        query = query.where(
            func.lower(Opportunity.next_step).like(pattern, escape="\\")
            | func.lower(Opportunity.description).like(pattern, escape="\\")
            | Opportunity.fund_id.in_(
                select(Fund.id).where(func.lower(Fund.name).like(pattern, escape="\\"))
            )
            | Opportunity.investor_organization_id.in_(
                select(Organization.id).where(
                    func.lower(Organization.name).like(pattern, escape="\\")
                )
            )
            | Opportunity.investor_contact_id.in_(
                select(Contact.id).where(
                    func.lower(Contact.first_name + " " + Contact.last_name).like(
                        pattern, escape="\\"
                    )
                )
            )
        )
    if filters.fund_id is not None:
        query = query.where(Opportunity.fund_id == filters.fund_id)
    if filters.stage is not None:
        query = query.where(Opportunity.stage == filters.stage)
    if filters.investor_organization_id is not None:
        query = query.where(
            Opportunity.investor_organization_id == filters.investor_organization_id
        )
    if filters.investor_contact_id is not None:
        query = query.where(Opportunity.investor_contact_id == filters.investor_contact_id)
    if filters.owner_id is not None:
        query = query.where(Opportunity.owner_id == filters.owner_id)
    if filters.tag_id is not None:
        query = query.where(
            Opportunity.id.in_(
                select(opportunity_tag.c.opportunity_id).where(
                    opportunity_tag.c.tag_id == filters.tag_id
                )
            )
        )
    return query


def search(
    session: Session, *, filters: OpportunityFilter
) -> tuple[list[Opportunity], str | None, int]:
    return page(
        session,
        filtered(session, filters),
        model=Opportunity,
        sorts=SORTS,
        sort=filters.sort,
        params=filters,
    )
