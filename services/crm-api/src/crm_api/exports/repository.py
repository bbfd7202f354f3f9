"""The exports' SQL: each aggregate's list filters, and keyset batches over its list sort.

The filters mirror each domain's list search (a test checks that every field of each Filter
schema is handled here), without its page count: an export reads each row once, in batches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select, tuple_
from sqlalchemy.orm import Session

from crm_api.communications import service as communications
from crm_api.communications.models import Communication, CommunicationAttendee
from crm_api.contacts import repository as contacts
from crm_api.contacts.models import Affiliation, Contact, ContactEmail
from crm_api.followups import service as followups
from crm_api.followups.models import FollowUp
from crm_api.followups.schemas import FollowUpStatus
from crm_api.funds import repository as funds
from crm_api.funds.models import Fund
from crm_api.kit.repository import Sorts, filter_common, like
from crm_api.lp_profiles import service as lp_profiles
from crm_api.lp_profiles.models import LpProfile
from crm_api.opportunities import repository as opportunities
from crm_api.opportunities.models import Opportunity
from crm_api.organizations import repository as organizations
from crm_api.organizations.models import Organization, OrganizationDomain
from crm_api.tags import service as tags
from crm_api.tags.models import contact_tag, opportunity_tag, organization_tag

# What ListParams itself handles (filter_common), or what an export ignores.
COMMON = frozenset({"q", "deleted", "created_after", "created_before", "updated_after", "sort"})
IGNORED = frozenset({"cursor", "limit"})

Narrow = Callable[[Select[Any], Any], Select[Any]]


@dataclass(frozen=True)
class Source:
    """Where an aggregate's rows come from: its model, its list sorts and its filters."""

    model: Any
    sorts: Sorts
    narrow: Narrow
    handles: frozenset[str]  # the Filter fields `narrow` applies, besides COMMON


def _equal(query: Select[Any], pairs: tuple[tuple[Any, Any], ...]) -> Select[Any]:
    for column, value in pairs:
        if value is not None:
            query = query.where(column == value)
    return query


def _organizations(query: Select[Any], f: Any) -> Select[Any]:
    if f.q:
        pattern = like(f.q)
        query = query.where(
            func.lower(Organization.name).like(pattern, escape="\\")
            | Organization.id.in_(
                select(OrganizationDomain.organization_id).where(
                    OrganizationDomain.domain.like(pattern, escape="\\")
                )
            )
        )
    query = _equal(query, ((Organization.type, f.type),))
    if f.domain is not None:
        query = query.where(
            Organization.id.in_(
                select(OrganizationDomain.organization_id).where(
                    OrganizationDomain.domain == f.domain.lower()
                )
            )
        )
    if f.tag_id is not None:
        query = query.where(tags.tagged(Organization.id, organization_tag, f.tag_id))
    return query


def _contacts(query: Select[Any], f: Any) -> Select[Any]:
    if f.q:
        pattern = like(f.q)
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
    query = _equal(
        query,
        (
            (Contact.contact_type, f.contact_type),
            (Contact.status, f.status),
            (Contact.source, f.source),
            (Contact.owner_id, f.owner_id),
            (Contact.country, f.country),
            (Contact.city, f.city),
        ),
    )
    if f.organization_id is not None:
        query = query.where(
            Contact.id.in_(
                select(Affiliation.contact_id).where(
                    Affiliation.organization_id == f.organization_id
                )
            )
        )
    if f.email is not None:
        query = query.where(
            Contact.id.in_(
                select(ContactEmail.contact_id).where(ContactEmail.email == f.email.lower())
            )
        )
    if f.tag_id is not None:
        query = query.where(tags.tagged(Contact.id, contact_tag, f.tag_id))
    return query


def _funds(query: Select[Any], f: Any) -> Select[Any]:
    if f.q:
        query = query.where(func.lower(Fund.name).like(like(f.q), escape="\\"))
    return _equal(query, ((Fund.status, f.status), (Fund.vintage, f.vintage)))


def _opportunities(query: Select[Any], f: Any) -> Select[Any]:
    if f.q:
        pattern = like(f.q)
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
    query = _equal(
        query,
        (
            (Opportunity.fund_id, f.fund_id),
            (Opportunity.stage, f.stage),
            (Opportunity.investor_organization_id, f.investor_organization_id),
            (Opportunity.investor_contact_id, f.investor_contact_id),
            (Opportunity.owner_id, f.owner_id),
        ),
    )
    if f.tag_id is not None:
        query = query.where(tags.tagged(Opportunity.id, opportunity_tag, f.tag_id))
    return query


def _communications(query: Select[Any], f: Any) -> Select[Any]:
    if f.q:
        pattern = like(f.q)
        query = query.where(
            func.lower(Communication.subject).like(pattern, escape="\\")
            | func.lower(Communication.body).like(pattern, escape="\\")
        )
    if f.contact_id is not None:
        query = query.where(
            or_(
                Communication.contact_id == f.contact_id,
                Communication.id.in_(
                    select(CommunicationAttendee.communication_id).where(
                        CommunicationAttendee.contact_id == f.contact_id
                    )
                ),
            )
        )
    query = _equal(
        query,
        (
            (Communication.type, f.type),
            (Communication.organization_id, f.organization_id),
            (Communication.opportunity_id, f.opportunity_id),
        ),
    )
    if f.occurred_after is not None:
        query = query.where(Communication.occurred_at >= f.occurred_after)
    if f.occurred_before is not None:
        query = query.where(Communication.occurred_at < f.occurred_before)
    return query


def _follow_ups(query: Select[Any], f: Any) -> Select[Any]:
    if f.q:
        query = query.where(func.lower(FollowUp.title).like(like(f.q), escape="\\"))
    query = _equal(
        query,
        (
            (FollowUp.status, f.status),
            (FollowUp.owner_id, f.owner_id),
            (FollowUp.contact_id, f.contact_id),
            (FollowUp.organization_id, f.organization_id),
            (FollowUp.opportunity_id, f.opportunity_id),
        ),
    )
    if f.due_before is not None:
        query = query.where(FollowUp.due_date <= f.due_before)
    today = followups.today()
    if f.overdue is True:
        query = query.where(FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_date < today)
    elif f.overdue is False:
        query = query.where((FollowUp.status != FollowUpStatus.OPEN) | (FollowUp.due_date >= today))
    return query


def _lp_profiles(query: Select[Any], f: Any) -> Select[Any]:
    # Like the LP profile list, which has no text to search: `q` is not applied.
    query = _equal(
        query,
        (
            (LpProfile.investor_type, f.investor_type),
            (LpProfile.accreditation_status, f.accreditation_status),
            (LpProfile.kyc_aml_status, f.kyc_aml_status),
            (LpProfile.offering_exemption, f.offering_exemption),
        ),
    )
    if f.accreditation_expires_before is not None:
        query = query.where(LpProfile.accreditation_expires_on < f.accreditation_expires_before)
    return query


SOURCES: dict[str, Source] = {
    "organizations": Source(
        Organization, organizations.SORTS, _organizations, frozenset({"type", "domain", "tag_id"})
    ),
    "contacts": Source(
        Contact,
        contacts.SORTS,
        _contacts,
        frozenset(
            {
                "contact_type",
                "status",
                "source",
                "owner_id",
                "organization_id",
                "email",
                "country",
                "city",
                "tag_id",
            }
        ),
    ),
    "funds": Source(Fund, funds.SORTS, _funds, frozenset({"status", "vintage"})),
    "opportunities": Source(
        Opportunity,
        opportunities.SORTS,
        _opportunities,
        frozenset(
            {
                "fund_id",
                "stage",
                "investor_organization_id",
                "investor_contact_id",
                "owner_id",
                "tag_id",
            }
        ),
    ),
    "communications": Source(
        Communication,
        communications.SORTS,
        _communications,
        frozenset(
            {
                "type",
                "contact_id",
                "organization_id",
                "opportunity_id",
                "occurred_after",
                "occurred_before",
            }
        ),
    ),
    "follow-ups": Source(
        FollowUp,
        followups.SORTS,
        _follow_ups,
        frozenset(
            {
                "status",
                "owner_id",
                "contact_id",
                "organization_id",
                "opportunity_id",
                "due_before",
                "overdue",
            }
        ),
    ),
    "lp-profiles": Source(
        LpProfile,
        lp_profiles.SORTS,
        _lp_profiles,
        frozenset(
            {
                "investor_type",
                "accreditation_status",
                "kyc_aml_status",
                "offering_exemption",
                "accreditation_expires_before",
            }
        ),
    ),
}

Key = tuple[Any, str]


def batch(
    session: Session, source: Source, filters: Any, *, after: Key | None, size: int
) -> tuple[list[Any], Key | None]:
    """The next `size` rows matching `filters` (a Filter schema) in its sort order, after the
    (sort value, id) `after`; and the key to continue from (None after the last batch)."""
    model = source.model
    column, descending = source.sorts[filters.sort]
    query = source.narrow(filter_common(select(model), model, filters), filters)
    if after is not None:
        key = tuple_(column, model.id)
        query = query.where(key < after if descending else key > after)
    if descending:
        query = query.order_by(column.desc(), model.id.desc())
    else:
        query = query.order_by(column.asc(), model.id.asc())
    rows = list(session.scalars(query.limit(size)))
    if len(rows) < size:
        return rows, None
    last = rows[-1]
    return rows, (getattr(last, column.key), last.id)
