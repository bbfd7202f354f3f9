from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from crm_api.contacts.models import Affiliation, Contact
from crm_api.opportunities.models import Opportunity


def opportunities(
    session: Session, *, contact_id: str | None, organization_ids: Sequence[str]
) -> list[Opportunity]:
    """The live opportunities of a contact as investor, or of these organizations.

    One index path per investor column, joined by a union: an OR across the two columns makes
    both databases scan the table.
    """
    live = Opportunity.deleted_at.is_(None)
    branches = []
    if contact_id is not None:
        branches.append(
            select(Opportunity.id).where(live, Opportunity.investor_contact_id == contact_id)
        )
    if organization_ids:
        branches.append(
            select(Opportunity.id).where(
                live, Opportunity.investor_organization_id.in_(organization_ids)
            )
        )
    if not branches:
        return []
    ids = union(*branches) if len(branches) > 1 else branches[0]
    return list(
        session.scalars(
            select(Opportunity)
            .where(Opportunity.id.in_(ids))
            .order_by(Opportunity.created_at, Opportunity.id)
        )
    )


def people_at(session: Session, organization_id: str) -> list[Contact]:
    """The live contacts affiliated with an organization, by name."""
    return list(
        session.scalars(
            select(Contact)
            .where(
                Contact.deleted_at.is_(None),
                Contact.id.in_(
                    select(Affiliation.contact_id).where(
                        Affiliation.organization_id == organization_id
                    )
                ),
            )
            .order_by(Contact.last_name, Contact.first_name, Contact.id)
        )
    )
