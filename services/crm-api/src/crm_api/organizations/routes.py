from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from crm_api.auth.dependencies import Admin, Reader, Writer
from crm_api.database import ReadSession, WriteSession
from crm_api.kit.http import with_etag
from crm_api.kit.idempotency import IdempotencyKey, run_once
from crm_api.kit.pagination import IfMatch, parse_if_match
from crm_api.organizations import service
from crm_api.organizations.schemas import (
    OrganizationCreate,
    OrganizationFilter,
    OrganizationPage,
    OrganizationRead,
    OrganizationUpdate,
)

router = APIRouter(prefix="/api", tags=["organizations"])


@router.get("/organizations", response_model=OrganizationPage)
def list_organizations(
    _: Reader, filters: Annotated[OrganizationFilter, Query()], session: ReadSession
) -> OrganizationPage:
    """Organizations matching the filters, a page at a time, with the total count."""
    return service.search(session, filters=filters)


@router.post("/organizations", response_model=OrganizationRead, status_code=status.HTTP_201_CREATED)
def create_organization(
    principal: Writer, body: OrganizationCreate, session: WriteSession, key: IdempotencyKey = None
) -> JSONResponse:
    """Create an organization. With an Idempotency-Key, a retry returns the first answer."""
    return run_once(
        session,
        principal=principal,
        key=key,
        scope="POST /api/organizations",
        request=body.model_dump(mode="json"),
        status=201,
        run=lambda: service.create(session, data=body, by=principal),
    )


@router.get("/organizations/{organization_id}", response_model=OrganizationRead)
def get_organization(_: Reader, organization_id: str, session: ReadSession) -> JSONResponse:
    return with_etag(service.to_read(service.get(session, organization_id=organization_id)))


@router.patch("/organizations/{organization_id}", response_model=OrganizationRead)
def update_organization(
    principal: Writer,
    organization_id: str,
    body: OrganizationUpdate,
    session: WriteSession,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Change fields; If-Match must name the version you read (409 if it moved on)."""
    return with_etag(
        service.update(
            session,
            organization_id=organization_id,
            data=body,
            expected_version=parse_if_match(if_match),
            by=principal,
        )
    )


@router.delete("/organizations/{organization_id}", response_model=OrganizationRead)
def delete_organization(
    principal: Writer, organization_id: str, session: WriteSession
) -> JSONResponse:
    """Soft delete: hidden from lists, restorable."""
    return with_etag(service.delete(session, organization_id=organization_id, by=principal))


@router.post("/organizations/{organization_id}/restore", response_model=OrganizationRead)
def restore_organization(
    principal: Writer, organization_id: str, session: WriteSession
) -> JSONResponse:
    return with_etag(service.restore(session, organization_id=organization_id, by=principal))


@router.post("/admin/organizations/{organization_id}/purge", status_code=status.HTTP_204_NO_CONTENT)
def purge_organization(principal: Admin, organization_id: str, session: WriteSession) -> None:
    """Erase a deleted organization for good; the audit log keeps its last state."""
    service.purge(session, organization_id=organization_id, by=principal)
