from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from crm_api.auth.dependencies import Admin, Reader
from crm_api.custom_fields import service
from crm_api.custom_fields.schemas import (
    CustomFieldCreate,
    CustomFieldFilter,
    CustomFieldRead,
    CustomFieldUpdate,
)
from crm_api.database import ReadSession, WriteSession

router = APIRouter(prefix="/api", tags=["custom fields"])


@router.get("/custom-fields", response_model=list[CustomFieldRead])
def list_custom_fields(
    _: Reader, filters: Annotated[CustomFieldFilter, Query()], session: ReadSession
) -> list[CustomFieldRead]:
    """The custom fields of each entity, in form order, retired ones included
    (`is_active: false`) unless filtered out."""
    return [service.to_read(row) for row in service.definitions(session, filters=filters)]


@router.post(
    "/admin/custom-fields", response_model=CustomFieldRead, status_code=status.HTTP_201_CREATED
)
def create_custom_field(
    principal: Admin, body: CustomFieldCreate, session: WriteSession
) -> CustomFieldRead:
    """Define a field of contacts, organizations or opportunities; its key is unique per entity."""
    return service.to_read(service.create(session, data=body, by=principal))


@router.patch("/admin/custom-fields/{field_id}", response_model=CustomFieldRead)
def update_custom_field(
    principal: Admin, field_id: str, body: CustomFieldUpdate, session: WriteSession
) -> CustomFieldRead:
    """Relabel, reorder, require, retire, or change the options of a field (an option a record
    has cannot be removed). Key, entity and type never change."""
    return service.to_read(service.update(session, field_id=field_id, data=body, by=principal))
