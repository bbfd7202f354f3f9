"""The SQL the spreadsheet import needs to match investors: by exact email or web domain."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_api.contacts.models import Contact, ContactEmail
from crm_api.organizations.models import Organization, OrganizationDomain

_CHUNK = 500


def contacts_by_email(session: Session, emails: set[str]) -> dict[str, str]:
    """Email -> the live contact that holds it."""
    found: dict[str, str] = {}
    ordered = sorted(emails)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        query = (
            select(ContactEmail.email, ContactEmail.contact_id)
            .join(Contact, Contact.id == ContactEmail.contact_id)
            .where(
                ContactEmail.email.in_(chunk),
                ContactEmail.is_live.is_(True),
                Contact.deleted_at.is_(None),
            )
        )
        found.update({row.email: row.contact_id for row in session.execute(query)})
    return found


def organizations_by_domain(session: Session, domains: set[str]) -> dict[str, str]:
    """Web domain -> the live organization that holds it."""
    found: dict[str, str] = {}
    ordered = sorted(domains)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        query = (
            select(OrganizationDomain.domain, OrganizationDomain.organization_id)
            .join(Organization, Organization.id == OrganizationDomain.organization_id)
            .where(
                OrganizationDomain.domain.in_(chunk),
                OrganizationDomain.is_live.is_(True),
                Organization.deleted_at.is_(None),
            )
        )
        found.update({row.domain: row.organization_id for row in session.execute(query)})
    return found
