"""Contact rules: managed type, status and source; an active owner; emails unique among live
contacts with exactly one primary; affiliations to live organizations with at most one primary;
live tags; custom field values checked against the contact fields."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth import service as users
from crm_api.auth.errors import UnknownUser
from crm_api.auth.principal import Principal
from crm_api.contacts import repository
from crm_api.contacts.models import Affiliation, Contact, ContactEmail, contact_tag
from crm_api.contacts.schemas import (
    AffiliationIn,
    AffiliationRead,
    ContactCreate,
    ContactFilter,
    ContactPage,
    ContactRead,
    ContactUpdate,
    EmailIn,
    EmailRead,
    PhoneIn,
)
from crm_api.custom_fields import service as custom_fields
from crm_api.kit import aggregate
from crm_api.kit.errors import DuplicateRecord, InvalidValue, RecordNotFound
from crm_api.lookups import service as lookups
from crm_api.organizations import service as organizations
from crm_api.tags import service as tags

ENTITY = "contact"

custom_fields.register_entity(ENTITY, Contact.custom_fields)
tags.register_link(contact_tag)

_SCALARS = ("title", "city", "region", "country")


def to_read(contact: Contact) -> ContactRead:
    # Sorted here, not only by the relationship's order_by, so that a state rendered before and
    # after a reload is the same.
    emails = sorted(contact.emails, key=lambda e: (not e.is_primary, e.email))
    affiliations = sorted(contact.affiliations, key=lambda a: (not a.is_primary, a.id))
    primary_email = next((e.email for e in emails if e.is_primary), None)
    primary_org = next((a.organization_id for a in affiliations if a.is_primary), None)
    return ContactRead(
        id=contact.id,
        version=contact.version,
        created_at=contact.created_at,
        updated_at=contact.updated_at,
        created_by=contact.created_by,
        updated_by=contact.updated_by,
        deleted_at=contact.deleted_at,
        first_name=contact.first_name,
        last_name=contact.last_name,
        title=contact.title,
        contact_type=contact.contact_type,
        status=contact.status,
        source=contact.source,
        owner_id=contact.owner_id,
        city=contact.city,
        region=contact.region,
        country=contact.country,
        linkedin_url=contact.linkedin_url,
        notes=contact.notes,
        emails=[EmailRead(email=e.email, label=e.label, is_primary=e.is_primary) for e in emails],
        primary_email=primary_email,
        phones=list(contact.phones or []),
        affiliations=[
            AffiliationRead(
                id=a.id,
                organization_id=a.organization_id,
                role=a.role,
                start_date=a.start_date,
                end_date=a.end_date,
                is_primary=a.is_primary,
            )
            for a in affiliations
        ],
        primary_organization_id=primary_org,
        tags=tags.refs(contact.tags),
        custom_fields=dict(contact.custom_fields or {}),
    )


def state(contact: Contact) -> dict[str, Any]:
    return to_read(contact).model_dump(mode="json")


def _title(contact: Contact) -> str:
    return f"{contact.first_name} {contact.last_name}"


KIND = aggregate.Kind(name="contact", path="/api/contacts", state=state, title=_title)


def _check_owner(session: Session, owner_id: str | None) -> None:
    if owner_id is None:
        return
    try:
        owner = users.get_user(session, user_id=owner_id)
    except UnknownUser:
        raise InvalidValue("owner_id: no such user", field="owner_id") from None
    if not owner.is_active:
        raise InvalidValue("owner_id: that user is deactivated", field="owner_id")


def _set_emails(session: Session, contact: Contact, emails: list[EmailIn]) -> None:
    normalized = [(str(e.email).lower(), e) for e in emails]
    addresses = [address for address, _ in normalized]
    if len(set(addresses)) != len(addresses):
        raise InvalidValue("emails: an address is listed twice", field="emails")
    primaries = [address for address, e in normalized if e.is_primary]
    if len(primaries) > 1:
        raise InvalidValue("emails: only one address can be primary", field="emails")
    primary = primaries[0] if primaries else (addresses[0] if addresses else None)
    for address in addresses:
        holder = repository.email_holder(session, address)
        if holder is not None and holder != contact.id:
            raise DuplicateRecord(
                f"{address} belongs to another contact", field="emails", contact_id=holder
            )
    current = {e.email: e for e in contact.emails}
    for address, row in current.items():
        if address not in addresses:
            contact.emails.remove(row)
    session.flush()
    for address, email in normalized:
        existing = current.get(address)
        row = existing or ContactEmail(email=address, is_live=contact.deleted_at is None)
        if existing is None:
            contact.emails.append(row)
        row.label = email.label
        row.is_primary = address == primary


def _set_affiliations(
    session: Session, contact: Contact, affiliations: list[AffiliationIn]
) -> None:
    primaries = [a for a in affiliations if a.is_primary]
    if len(primaries) > 1:
        raise InvalidValue("affiliations: only one can be primary", field="affiliations")
    for item in affiliations:
        try:
            organizations.get(session, organization_id=item.organization_id)
        except RecordNotFound:
            raise InvalidValue(
                f"affiliations: no organization {item.organization_id}", field="affiliations"
            ) from None
    primary_index = affiliations.index(primaries[0]) if primaries else 0
    contact.affiliations.clear()
    session.flush()
    for index, item in enumerate(affiliations):
        contact.affiliations.append(
            Affiliation(
                organization_id=item.organization_id,
                role=item.role,
                start_date=item.start_date,
                end_date=item.end_date,
                is_primary=index == primary_index,
            )
        )


def _set_phones(contact: Contact, phones: list[PhoneIn]) -> None:
    contact.phones = [p.model_dump() for p in phones]


def get(session: Session, *, contact_id: str, include_deleted: bool = False) -> Contact:
    return aggregate.require_live(
        repository.get(session, contact_id), include_deleted=include_deleted
    )


def reindex(session: Session, *, contact_ids: list[str]) -> None:
    """Refresh the quick-match text of these contacts (after a bulk load)."""
    repository.index_documents(session, contact_ids)


def reindex_affiliated(session: Session, *, organization_id: str) -> None:
    """Refresh the quick-match text of the people at an organization (its name changed)."""
    repository.index_documents(session, repository.affiliated(session, organization_id))


organizations.on_rename(reindex_affiliated)


def search(session: Session, *, filters: ContactFilter) -> ContactPage:
    rows, cursor, total = repository.search(session, filters=filters)
    return ContactPage(items=[to_read(r) for r in rows], next_cursor=cursor, total=total)


def create(session: Session, *, data: ContactCreate, by: Principal) -> dict[str, Any]:
    lookups.require(
        session, list_name="contact_type", value=data.contact_type, field="contact_type"
    )
    lookups.require(session, list_name="contact_status", value=data.status, field="status")
    if data.source is not None:
        lookups.require(session, list_name="contact_source", value=data.source, field="source")
    _check_owner(session, data.owner_id)
    contact = Contact(
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        contact_type=data.contact_type,
        status=data.status,
        source=data.source,
        owner_id=data.owner_id,
        linkedin_url=str(data.linkedin_url) if data.linkedin_url else None,
        notes=data.notes,
        custom_fields=custom_fields.apply(session, entity=ENTITY, given=data.custom_fields),
        **{name: getattr(data, name) for name in _SCALARS},
    )
    contact.tags = tags.resolve(session, data.tag_ids)
    aggregate.stamp_new(contact, by)
    session.add(contact)
    session.flush()
    _set_emails(session, contact, data.emails)
    _set_phones(contact, data.phones)
    _set_affiliations(session, contact, data.affiliations)
    repository.index_documents(session, [contact.id])
    return aggregate.created(
        session,
        kind=KIND,
        obj=contact,
        actor=by,
        payload=data.model_dump(mode="json"),
        targets=[("organization", a.organization_id) for a in data.affiliations],
    )


def update(
    session: Session,
    *,
    record_id: str,
    data: ContactUpdate,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    contact = get(session, contact_id=record_id)
    aggregate.expect_version(KIND, contact, expected_version)
    before = state(contact)
    fields = data.model_dump(exclude_unset=True)
    for required in ("first_name", "last_name", "contact_type", "status"):
        if required in fields and fields[required] is None:
            raise InvalidValue(f"{required} must not be null", field=required)
    if data.first_name is not None:
        contact.first_name = data.first_name.strip()
    if data.last_name is not None:
        contact.last_name = data.last_name.strip()
    if data.contact_type is not None:
        contact.contact_type = lookups.require(
            session, list_name="contact_type", value=data.contact_type, field="contact_type"
        )
    if data.status is not None:
        contact.status = lookups.require(
            session, list_name="contact_status", value=data.status, field="status"
        )
    if "source" in fields:
        if data.source is not None:
            lookups.require(session, list_name="contact_source", value=data.source, field="source")
        contact.source = data.source
    if "owner_id" in fields:
        _check_owner(session, data.owner_id)
        contact.owner_id = data.owner_id
    if "linkedin_url" in fields:
        contact.linkedin_url = str(data.linkedin_url) if data.linkedin_url else None
    if "notes" in fields:
        contact.notes = data.notes or ""
    for name in _SCALARS:
        if name in fields:
            setattr(contact, name, fields[name])
    if data.emails is not None:
        _set_emails(session, contact, data.emails)
    if data.phones is not None:
        _set_phones(contact, data.phones)
    if data.affiliations is not None:
        _set_affiliations(session, contact, data.affiliations)
    if data.tag_ids is not None:
        contact.tags = tags.replace(session, contact.tags, data.tag_ids)
    if data.custom_fields is not None:
        contact.custom_fields = custom_fields.apply(
            session, entity=ENTITY, given=data.custom_fields, current=contact.custom_fields or {}
        )
    if {"first_name", "last_name", "emails", "affiliations"} & fields.keys():
        repository.index_documents(session, [contact.id])
    return aggregate.updated(
        session,
        kind=KIND,
        obj=contact,
        before=before,
        actor=by,
        payload=data.model_dump(mode="json", exclude_unset=True),
    )


def delete(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    contact = get(session, contact_id=record_id, include_deleted=True)
    for email in contact.emails:
        email.is_live = False
    return aggregate.soft_deleted(session, kind=KIND, obj=contact, actor=by)


def restore(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    contact = get(session, contact_id=record_id, include_deleted=True)
    if contact.deleted_at is not None:
        for email in contact.emails:
            holder = repository.email_holder(session, email.email)
            if holder is not None and holder != contact.id:
                raise DuplicateRecord(
                    f"{email.email} now belongs to another contact; remove it first",
                    contact_id=holder,
                )
            email.is_live = True
    return aggregate.restored(session, kind=KIND, obj=contact, actor=by)


def purge(session: Session, *, record_id: str, by: Principal) -> None:
    contact = get(session, contact_id=record_id, include_deleted=True)
    aggregate.purged(session, kind=KIND, obj=contact, actor=by)


# The list's own query, for crm_api.exports (which reads it a batch at a time, unpaged).
SORTS = repository.SORTS


def filtered(session: Session, filters: ContactFilter) -> Any:
    """The query the list runs for `filters`, without paging."""
    return repository.filtered(session, filters)


def email_holder(session: Session, *, email: str) -> str | None:
    """The id of the contact that has the address live, if any."""
    return repository.email_holder(session, email)
