from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from crm_api.kit.repository import Sorts, filter_common, like, page
from crm_api.organizations.models import Organization, OrganizationDomain, organization_tag
from crm_api.organizations.schemas import OrganizationFilter

SORTS: Sorts = {
    "name": (Organization.name, False),
    "-name": (Organization.name, True),
    "created_at": (Organization.created_at, False),
    "-created_at": (Organization.created_at, True),
    "updated_at": (Organization.updated_at, False),
    "-updated_at": (Organization.updated_at, True),
}


def get(session: Session, organization_id: str) -> Organization | None:
    return session.get(Organization, organization_id)


def get_many(session: Session, ids: set[str]) -> dict[str, Organization]:
    if not ids:
        return {}
    rows = session.scalars(select(Organization).where(Organization.id.in_(ids)))
    return {row.id: row for row in rows}


def domain_owner(session: Session, domain: str) -> str | None:
    return session.scalar(
        select(OrganizationDomain.organization_id).where(
            OrganizationDomain.domain == domain, OrganizationDomain.is_live == true()
        )
    )


def filtered(session: Session, filters: OrganizationFilter) -> Any:
    """The list's query with every filter applied (the list pages it, an export batches it)."""
    query: Any = filter_common(select(Organization), Organization, filters)
    if filters.q:
        pattern = like(filters.q)
        query = query.where(
            func.lower(Organization.name).like(pattern, escape="\\")
            | Organization.id.in_(
                select(OrganizationDomain.organization_id).where(
                    OrganizationDomain.domain.like(pattern, escape="\\")
                )
            )
        )
    if filters.type is not None:
        query = query.where(Organization.type == filters.type)
    if filters.domain is not None:
        query = query.where(
            Organization.id.in_(
                select(OrganizationDomain.organization_id).where(
                    OrganizationDomain.domain == filters.domain.lower()
                )
            )
        )
    if filters.tag_id is not None:
        query = query.where(
            Organization.id.in_(
                select(organization_tag.c.organization_id).where(
                    organization_tag.c.tag_id == filters.tag_id
                )
            )
        )
    return query


def search(
    session: Session, *, filters: OrganizationFilter
) -> tuple[list[Organization], str | None, int]:
    return page(
        session,
        filtered(session, filters),
        model=Organization,
        sorts=SORTS,
        sort=filters.sort,
        params=filters,
    )
