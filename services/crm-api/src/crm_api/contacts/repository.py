from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_api.contacts.models import Affiliation, Contact, ContactEmail
from crm_api.contacts.schemas import ContactFilter
from crm_api.kit.repository import Sorts, filter_common, like, page
from crm_api.organizations.models import Organization
from crm_api.tags import service as tags
from crm_api.tags.models import contact_tag

SORTS: Sorts = {
    "last_name": (Contact.last_name, False),
    "-last_name": (Contact.last_name, True),
    "first_name": (Contact.first_name, False),
    "-first_name": (Contact.first_name, True),
    "created_at": (Contact.created_at, False),
    "-created_at": (Contact.created_at, True),
    "updated_at": (Contact.updated_at, False),
    "-updated_at": (Contact.updated_at, True),
}


def get(session: Session, contact_id: str) -> Contact | None:
    return session.get(Contact, contact_id)


def email_holder(session: Session, email: str) -> str | None:
    """The live contact that has `email`, if any."""
    return session.scalar(
        select(ContactEmail.contact_id).where(
            ContactEmail.email == email, ContactEmail.is_live.is_(True)
        )
    )


def search(session: Session, *, filters: ContactFilter) -> tuple[list[Contact], str | None, int]:
    query: Any = filter_common(select(Contact), Contact, filters)
    if filters.q:
        pattern = like(filters.q)
        full_name = func.lower(Contact.first_name + " " + Contact.last_name)
        query = query.where(
            full_name.like(pattern, escape="\\")
            | Contact.id.in_(
                select(ContactEmail.contact_id).where(ContactEmail.email.like(pattern, escape="\\"))
            )
            | Contact.id.in_(
                select(Affiliation.contact_id)
                .join(Organization, Organization.id == Affiliation.organization_id)
                .where(func.lower(Organization.name).like(pattern, escape="\\"))
            )
        )
    for column, value in (
        (Contact.contact_type, filters.contact_type),
        (Contact.status, filters.status),
        (Contact.source, filters.source),
        (Contact.owner_id, filters.owner_id),
        (Contact.country, filters.country),
        (Contact.city, filters.city),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.organization_id is not None:
        query = query.where(
            Contact.id.in_(
                select(Affiliation.contact_id).where(
                    Affiliation.organization_id == filters.organization_id
                )
            )
        )
    if filters.email is not None:
        query = query.where(
            Contact.id.in_(
                select(ContactEmail.contact_id).where(ContactEmail.email == filters.email.lower())
            )
        )
    if filters.tag_id is not None:
        query = query.where(tags.tagged(Contact.id, contact_tag, filters.tag_id))
    return page(session, query, model=Contact, sorts=SORTS, sort=filters.sort, params=filters)
