"""Feature request rules: a title, a known status and priority, and who asked (the principal's
user, set on create and never changed); soft delete like every record."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.feature_requests import repository
from crm_api.feature_requests.models import FeatureRequest
from crm_api.feature_requests.schemas import (
    FeatureRequestCreate,
    FeatureRequestFilter,
    FeatureRequestPage,
    FeatureRequestRead,
    FeatureRequestUpdate,
    Priority,
    Status,
)
from crm_api.kit import aggregate
from crm_api.kit.errors import InvalidValue


def to_read(row: FeatureRequest) -> FeatureRequestRead:
    return FeatureRequestRead(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        updated_by=row.updated_by,
        deleted_at=row.deleted_at,
        title=row.title,
        description=row.description,
        status=Status(row.status),
        priority=Priority(row.priority),
        requested_by=row.requested_by,
    )


def state(row: FeatureRequest) -> dict[str, Any]:
    return to_read(row).model_dump(mode="json")


KIND = aggregate.Kind(
    name="feature_request", path="/api/feature-requests", state=state, title=lambda r: r.title
)


def get(session: Session, *, record_id: str, include_deleted: bool = False) -> FeatureRequest:
    return aggregate.require_live(
        repository.get(session, record_id), include_deleted=include_deleted
    )


def read(session: Session, *, record_id: str) -> FeatureRequestRead:
    return to_read(get(session, record_id=record_id))


def search(session: Session, *, filters: FeatureRequestFilter) -> FeatureRequestPage:
    rows, cursor, total = repository.search(session, filters=filters)
    return FeatureRequestPage(items=[to_read(r) for r in rows], next_cursor=cursor, total=total)


def create(session: Session, *, data: FeatureRequestCreate, by: Principal) -> dict[str, Any]:
    row = FeatureRequest(
        title=data.title,
        description=data.description,
        status=data.status.value,
        priority=data.priority.value,
        requested_by=by.user_id,
    )
    aggregate.stamp_new(row, by)
    session.add(row)
    return aggregate.created(
        session, kind=KIND, obj=row, actor=by, payload=data.model_dump(mode="json")
    )


def update(
    session: Session,
    *,
    record_id: str,
    data: FeatureRequestUpdate,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    row = get(session, record_id=record_id)
    aggregate.expect_version(KIND, row, expected_version)
    before = state(row)
    fields = data.model_dump(exclude_unset=True)
    for required in ("title", "priority", "status"):
        if required in fields and fields[required] is None:
            raise InvalidValue(f"{required} must not be null", field=required)
    if data.title is not None:
        row.title = data.title
    if "description" in fields:
        row.description = data.description or ""
    if data.priority is not None:
        row.priority = data.priority.value
    if data.status is not None:
        row.status = data.status.value
    return aggregate.updated(
        session,
        kind=KIND,
        obj=row,
        before=before,
        actor=by,
        payload=data.model_dump(mode="json", exclude_unset=True),
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
