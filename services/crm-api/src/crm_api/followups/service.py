"""Follow-up rules: an active owner, live links, a status that records who closed it and when."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth.models import User
from crm_api.auth.principal import Principal
from crm_api.contacts.models import Contact
from crm_api.followups import repository
from crm_api.followups.models import FollowUp
from crm_api.followups.schemas import (
    FollowUpCreate,
    FollowUpFilter,
    FollowUpPage,
    FollowUpRead,
    FollowUpStatus,
    FollowUpUpdate,
    FollowUpView,
)
from crm_api.kit import aggregate, links
from crm_api.kit.errors import InvalidValue
from crm_api.opportunities.models import Opportunity
from crm_api.organizations.models import Organization


def today() -> date:
    return datetime.now(UTC).date()


def to_read(row: FollowUp) -> FollowUpRead:
    return FollowUpRead(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        updated_by=row.updated_by,
        deleted_at=row.deleted_at,
        title=row.title,
        notes=row.notes,
        due_date=row.due_date,
        owner_id=row.owner_id,
        status=row.status,
        completed_at=row.completed_at,
        completed_by=row.completed_by,
        contact_id=row.contact_id,
        organization_id=row.organization_id,
        opportunity_id=row.opportunity_id,
        communication_id=row.communication_id,
    )


def to_view(row: FollowUp) -> FollowUpView:
    # Overdue is a matter of today's date, not of the record: it is in views, not in events.
    return FollowUpView(
        **to_read(row).model_dump(),
        is_overdue=row.status == FollowUpStatus.OPEN and row.due_date < today(),
    )


def state(row: FollowUp) -> dict[str, Any]:
    return to_read(row).model_dump(mode="json")


KIND = aggregate.Kind(
    name="follow_up", path="/api/follow-ups", state=state, title=lambda r: r.title
)


def _check_links(session: Session, data: FollowUpCreate | FollowUpUpdate) -> None:
    links.require_live(session, Contact, data.contact_id, field="contact_id")
    links.require_live(session, Organization, data.organization_id, field="organization_id")
    links.require_live(session, Opportunity, data.opportunity_id, field="opportunity_id")
    owner = links.require_live(session, User, data.owner_id, field="owner_id")
    if owner is not None and not owner.is_active:
        raise InvalidValue("owner_id: that user is deactivated", field="owner_id")


def _targets(row: FollowUp) -> list[tuple[str, str]]:
    found = [
        ("contact", row.contact_id),
        ("organization", row.organization_id),
        ("opportunity", row.opportunity_id),
    ]
    return [(kind, value) for kind, value in found if value is not None]


def get(session: Session, *, record_id: str, include_deleted: bool = False) -> FollowUp:
    return aggregate.require_live(
        repository.get(session, record_id), include_deleted=include_deleted
    )


def read(session: Session, *, record_id: str) -> FollowUpView:
    return to_view(get(session, record_id=record_id))


def search(session: Session, *, filters: FollowUpFilter) -> FollowUpPage:
    rows, cursor, total = repository.search(session, filters=filters)
    return FollowUpPage(items=[to_view(r) for r in rows], next_cursor=cursor, total=total)


def create(
    session: Session, *, data: FollowUpCreate, by: Principal, communication_id: str | None = None
) -> dict[str, Any]:
    _check_links(session, data)
    row = FollowUp(
        title=data.title.strip(),
        notes=data.notes,
        due_date=data.due_date,
        owner_id=data.owner_id or (by.user_id if by.kind == "user" else None),
        status=FollowUpStatus.OPEN.value,
        contact_id=data.contact_id,
        organization_id=data.organization_id,
        opportunity_id=data.opportunity_id,
        communication_id=communication_id,
    )
    aggregate.stamp_new(row, by)
    session.add(row)
    return aggregate.created(
        session,
        kind=KIND,
        obj=row,
        actor=by,
        payload=data.model_dump(mode="json"),
        targets=_targets(row),
    )


def _set_status(row: FollowUp, status: FollowUpStatus, by: Principal) -> None:
    if row.status == status.value:
        return
    row.status = status.value
    if status is FollowUpStatus.OPEN:
        row.completed_at = None
        row.completed_by = None
    else:
        row.completed_at = datetime.now(UTC)
        row.completed_by = by.id


def update(
    session: Session,
    *,
    record_id: str,
    data: FollowUpUpdate,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    row = get(session, record_id=record_id)
    aggregate.expect_version(KIND, row, expected_version)
    before = state(row)
    fields = data.model_dump(exclude_unset=True)
    for required in ("title", "due_date", "status"):
        if required in fields and fields[required] is None:
            raise InvalidValue(f"{required} must not be null", field=required)
    _check_links(session, data)
    for name in (
        "title",
        "notes",
        "due_date",
        "owner_id",
        "contact_id",
        "organization_id",
        "opportunity_id",
    ):
        if name in fields:
            setattr(row, name, fields[name] if name != "notes" else fields[name] or "")
    if data.status is not None:
        _set_status(row, data.status, by)
    return aggregate.updated(
        session,
        kind=KIND,
        obj=row,
        before=before,
        actor=by,
        payload=data.model_dump(mode="json", exclude_unset=True),
        targets=_targets(row),
    )


def complete(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    """Mark done (no If-Match needed: completing twice is the same as once)."""
    row = get(session, record_id=record_id)
    before = state(row)
    _set_status(row, FollowUpStatus.DONE, by)
    return aggregate.updated(
        session,
        kind=KIND,
        obj=row,
        before=before,
        actor=by,
        action="complete",
        targets=_targets(row),
    )


def delete(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    return aggregate.soft_deleted(
        session, kind=KIND, obj=get(session, record_id=record_id, include_deleted=True), actor=by
    )


def restore(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    return aggregate.restored(
        session, kind=KIND, obj=get(session, record_id=record_id, include_deleted=True), actor=by
    )


def purge(session: Session, *, record_id: str, by: Principal) -> None:
    row = get(session, record_id=record_id, include_deleted=True)
    aggregate.purged(session, kind=KIND, obj=row, actor=by)


def open_for(
    session: Session, *, contact_id: str | None = None, organization_id: str | None = None
) -> list[FollowUpView]:
    rows = repository.open_for(session, contact_id=contact_id, organization_id=organization_id)
    return [to_view(r) for r in rows]


# The list's own query, for crm_api.exports (which reads it a batch at a time, unpaged).
SORTS = repository.SORTS


def filtered(session: Session, filters: FollowUpFilter) -> Any:
    """The query the list runs for `filters`, without paging."""
    return repository.filtered(session, filters)
