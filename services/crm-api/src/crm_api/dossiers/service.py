"""Assembling dossiers from the other domains' services."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm_api.canonical import service as canonical
from crm_api.communications import service as communications
from crm_api.communications.schemas import CommunicationFilter, CommunicationPage
from crm_api.contacts import service as contacts
from crm_api.dossiers import repository
from crm_api.dossiers.schemas import LATEST, ContactDossier, OrganizationDossier
from crm_api.followups import service as followups
from crm_api.kit.errors import RecordNotFound
from crm_api.lp_profiles import service as lp_profiles
from crm_api.opportunities import service as opportunities
from crm_api.opportunities.schemas import OpportunityRead
from crm_api.organizations import service as organizations
from crm_api.organizations.schemas import OrganizationRead


def _opportunities(
    session: Session, *, contact_id: str | None, organization_ids: list[str]
) -> list[OpportunityRead]:
    rows = repository.opportunities(
        session, contact_id=contact_id, organization_ids=organization_ids
    )
    return [opportunities.to_read(row) for row in rows]


def contact_dossier(session: Session, *, contact_id: str) -> ContactDossier:
    contact = contacts.get(session, contact_id=contact_id)
    orgs: list[OrganizationRead] = []
    for affiliation in sorted(contact.affiliations, key=lambda a: (not a.is_primary, a.id)):
        try:
            orgs.append(organizations.read(session, record_id=affiliation.organization_id))
        except RecordNotFound:
            continue  # a soft-deleted organization drops out of the dossier
    profile = lp_profiles.for_investor(session, contact_id=contact.id)
    if profile is None and orgs:
        profile = lp_profiles.for_investor(session, organization_id=orgs[0].id)
    return ContactDossier(
        contact=contacts.to_read(contact),
        organizations=orgs,
        opportunities=_opportunities(
            session, contact_id=contact.id, organization_ids=[o.id for o in orgs]
        ),
        lp_profile=profile,
        open_follow_ups=followups.open_for(session, contact_id=contact.id),
        latest_communications=communications.latest(session, contact_id=contact.id, limit=LATEST),
        canonical=canonical.canonical_for(session, source_kind="contact", source_id=contact.id),
    )


def organization_dossier(session: Session, *, organization_id: str) -> OrganizationDossier:
    org = organizations.read(session, record_id=organization_id)
    people = repository.people_at(session, org.id)
    return OrganizationDossier(
        organization=org,
        contacts=[contacts.to_read(c) for c in people],
        opportunities=_opportunities(session, contact_id=None, organization_ids=[org.id]),
        lp_profile=lp_profiles.for_investor(session, organization_id=org.id),
        open_follow_ups=followups.open_for(session, organization_id=org.id),
        latest_communications=communications.latest(session, organization_id=org.id, limit=LATEST),
        canonical=canonical.canonical_for(session, source_kind="organization", source_id=org.id),
    )


def history(
    session: Session,
    *,
    filters: CommunicationFilter,
    contact_id: str | None = None,
    organization_id: str | None = None,
) -> CommunicationPage:
    """The full communication history of a live contact or organization, newest first."""
    if contact_id is not None:
        contacts.get(session, contact_id=contact_id)
        filters = filters.model_copy(update={"contact_id": contact_id})
    if organization_id is not None:
        organizations.read(session, record_id=organization_id)
        filters = filters.model_copy(update={"organization_id": organization_id})
    return communications.search(session, filters=filters)
