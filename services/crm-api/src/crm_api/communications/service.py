"""Communication rules: a managed type, an event time, live links, attendees who exist, and a
next action that can become a follow-up in the same transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.communications import repository
from crm_api.communications.models import Communication, CommunicationAttendee
from crm_api.communications.schemas import (
    CommunicationCreate,
    CommunicationFilter,
    CommunicationPage,
    CommunicationRead,
    CommunicationUpdate,
)
from crm_api.contacts.models import Contact
from crm_api.followups import service as followups
from crm_api.followups.schemas import FollowUpCreate
from crm_api.kit import aggregate, links
from crm_api.kit.errors import InvalidValue
from crm_api.lookups import service as lookups
from crm_api.opportunities.models import Opportunity
from crm_api.organizations.models import Organization

_FIELDS = ("subject", "body", "occurred_at", "outcome", "next_action", "next_action_due")


def to_read(row: Communication) -> CommunicationRead:
    return CommunicationRead(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        updated_by=row.updated_by,
        deleted_at=row.deleted_at,
        type=row.type,
        subject=row.subject,
        body=row.body,
        occurred_at=row.occurred_at,
        contact_id=row.contact_id,
        organization_id=row.organization_id,
        opportunity_id=row.opportunity_id,
        attendee_ids=sorted(a.contact_id for a in row.attendees),
        outcome=row.outcome,
        next_action=row.next_action,
        next_action_due=row.next_action_due,
    )


def state(row: Communication) -> dict[str, Any]:
    return to_read(row).model_dump(mode="json")


KIND = aggregate.Kind(
    name="communication",
    path="/api/communications",
    state=state,
    title=lambda r: f"{r.type} {r.subject!r}".strip(),
)


def _targets(row: Communication) -> list[tuple[str, str]]:
    found = [
        ("contact", row.contact_id),
        ("organization", row.organization_id),
        ("opportunity", row.opportunity_id),
    ]
    found += [("contact", a.contact_id) for a in row.attendees]
    return [(kind, value) for kind, value in found if value is not None]


def _check_links(session: Session, row: Communication) -> None:
    if row.contact_id is None and row.organization_id is None:
        raise InvalidValue("a communication is on a contact or an organization", field="contact_id")
    links.require_live(session, Contact, row.contact_id, field="contact_id")
    links.require_live(session, Organization, row.organization_id, field="organization_id")
    links.require_live(session, Opportunity, row.opportunity_id, field="opportunity_id")


def _set_attendees(session: Session, row: Communication, attendee_ids: list[str]) -> None:
    wanted = sorted(set(attendee_ids))
    for contact_id in wanted:
        links.require_live(session, Contact, contact_id, field="attendee_ids")
    row.attendees.clear()
    session.flush()
    row.attendees.extend(CommunicationAttendee(contact_id=c) for c in wanted)


def get(session: Session, *, record_id: str, include_deleted: bool = False) -> Communication:
    return aggregate.require_live(
        repository.get(session, record_id), include_deleted=include_deleted
    )


def read(session: Session, *, record_id: str) -> CommunicationRead:
    return to_read(get(session, record_id=record_id))


def search(session: Session, *, filters: CommunicationFilter) -> CommunicationPage:
    rows, cursor, total = repository.search(session, filters=filters)
    return CommunicationPage(items=[to_read(r) for r in rows], next_cursor=cursor, total=total)


def create(session: Session, *, data: CommunicationCreate, by: Principal) -> dict[str, Any]:
    lookups.require(session, list_name="communication_type", value=data.type, field="type")
    if data.create_follow_up and not (data.next_action and data.next_action_due):
        raise InvalidValue(
            "create_follow_up needs next_action and next_action_due", field="create_follow_up"
        )
    row = Communication(
        type=data.type,
        contact_id=data.contact_id,
        organization_id=data.organization_id,
        opportunity_id=data.opportunity_id,
        **{name: getattr(data, name) for name in _FIELDS},
    )
    row.subject = row.subject or ""
    row.body = row.body or ""
    _check_links(session, row)
    aggregate.stamp_new(row, by)
    session.add(row)
    session.flush()
    _set_attendees(session, row, data.attendee_ids)
    created = aggregate.created(
        session,
        kind=KIND,
        obj=row,
        actor=by,
        payload=data.model_dump(mode="json"),
        targets=_targets(row),
    )
    if data.create_follow_up and data.next_action and data.next_action_due:
        followups.create(
            session,
            data=FollowUpCreate(
                title=data.next_action,
                due_date=data.next_action_due,
                owner_id=data.follow_up_owner_id,
                contact_id=data.contact_id,
                organization_id=data.organization_id,
                opportunity_id=data.opportunity_id,
            ),
            by=by,
            communication_id=row.id,
        )
    return created


def update(
    session: Session,
    *,
    record_id: str,
    data: CommunicationUpdate,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    row = get(session, record_id=record_id)
    aggregate.expect_version(KIND, row, expected_version)
    before = state(row)
    fields = data.model_dump(exclude_unset=True)
    for required in ("type", "occurred_at"):
        if required in fields and fields[required] is None:
            raise InvalidValue(f"{required} must not be null", field=required)
    if data.type is not None:
        row.type = lookups.require(
            session, list_name="communication_type", value=data.type, field="type"
        )
    for name in (*_FIELDS, "contact_id", "organization_id", "opportunity_id"):
        if name in fields:
            value = fields[name]
            setattr(row, name, "" if value is None and name in ("subject", "body") else value)
    _check_links(session, row)
    if data.attendee_ids is not None:
        _set_attendees(session, row, data.attendee_ids)
    return aggregate.updated(
        session,
        kind=KIND,
        obj=row,
        before=before,
        actor=by,
        payload=data.model_dump(mode="json", exclude_unset=True),
        targets=_targets(row),
    )


def delete(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    row = get(session, record_id=record_id, include_deleted=True)
    return aggregate.soft_deleted(session, kind=KIND, obj=row, actor=by)


def restore(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    row = get(session, record_id=record_id, include_deleted=True)
    return aggregate.restored(session, kind=KIND, obj=row, actor=by)


def purge(session: Session, *, record_id: str, by: Principal) -> None:
    row = get(session, record_id=record_id, include_deleted=True)
    aggregate.purged(session, kind=KIND, obj=row, actor=by)


def latest(
    session: Session,
    *,
    contact_id: str | None = None,
    organization_id: str | None = None,
    limit: int = 20,
) -> list[CommunicationRead]:
    """The newest communications on (or attended by) a contact, or on an organization; no
    total (counting a long history is most of the cost)."""
    filters = CommunicationFilter(
        contact_id=contact_id, organization_id=organization_id, limit=limit
    )
    return [to_read(r) for r in repository.first_page(session, filters=filters)]


# The list's own query, for crm_api.exports (which reads it a batch at a time, unpaged).
SORTS = repository.SORTS


def filtered(session: Session, filters: CommunicationFilter) -> Any:
    """The query the list runs for `filters`, without paging."""
    return repository.filtered(session, filters)
