from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from crm_api.auth.dependencies import Admin, Reader, Writer
from crm_api.database import ReadSession, WriteSession
from crm_api.kit.http import with_etag
from crm_api.kit.idempotency import IdempotencyKey, run_once
from crm_api.kit.pagination import IfMatch, parse_if_match
from crm_api.opportunities import service
from crm_api.opportunities.schemas import (
    OpportunityCreate,
    OpportunityFilter,
    OpportunityPage,
    OpportunityRead,
    OpportunityStageChange,
    OpportunityUpdate,
)

router = APIRouter(prefix="/api", tags=["opportunities"])


@router.get("/opportunities", response_model=OpportunityPage)
def list_opportunities(
    _: Reader, filters: Annotated[OpportunityFilter, Query()], session: ReadSession
) -> OpportunityPage:
    """Opportunities matching the filters, a page at a time, with the total count."""
    return service.search(session, filters=filters)


@router.post("/opportunities", response_model=OpportunityRead, status_code=status.HTTP_201_CREATED)
def create_opportunity(
    principal: Writer, body: OpportunityCreate, session: WriteSession, key: IdempotencyKey = None
) -> JSONResponse:
    """Open an investor's position in a fund. With an Idempotency-Key, a retry returns the first
    answer."""
    return run_once(
        session,
        principal=principal,
        key=key,
        scope="POST /api/opportunities",
        request=body.model_dump(mode="json"),
        status=201,
        run=lambda: service.create(session, data=body, by=principal),
    )


@router.get("/opportunities/{opportunity_id}", response_model=OpportunityRead)
def get_opportunity(_: Reader, opportunity_id: str, session: ReadSession) -> JSONResponse:
    return with_etag(service.to_read(service.get(session, opportunity_id=opportunity_id)))


@router.patch("/opportunities/{opportunity_id}", response_model=OpportunityRead)
def update_opportunity(
    principal: Writer,
    opportunity_id: str,
    body: OpportunityUpdate,
    session: WriteSession,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Change fields; If-Match must name the version you read (409 if it moved on)."""
    return with_etag(
        service.update(
            session,
            opportunity_id=opportunity_id,
            data=body,
            expected_version=parse_if_match(if_match),
            by=principal,
        )
    )


@router.patch("/opportunities/{opportunity_id}/stage", response_model=OpportunityRead)
def change_opportunity_stage(
    principal: Writer,
    opportunity_id: str,
    body: OpportunityStageChange,
    session: WriteSession,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Move to another pipeline stage (closed_lost needs a lost_reason); If-Match required."""
    return with_etag(
        service.change_stage(
            session,
            opportunity_id=opportunity_id,
            data=body,
            expected_version=parse_if_match(if_match),
            by=principal,
        )
    )


@router.delete("/opportunities/{opportunity_id}", response_model=OpportunityRead)
def delete_opportunity(
    principal: Writer, opportunity_id: str, session: WriteSession
) -> JSONResponse:
    """Soft delete: hidden from lists, restorable; frees the investor's place in the fund."""
    return with_etag(service.delete(session, opportunity_id=opportunity_id, by=principal))


@router.post("/opportunities/{opportunity_id}/restore", response_model=OpportunityRead)
def restore_opportunity(
    principal: Writer, opportunity_id: str, session: WriteSession
) -> JSONResponse:
    """Undelete; 409 if the investor has since got another live opportunity in the fund."""
    return with_etag(service.restore(session, opportunity_id=opportunity_id, by=principal))


@router.post("/admin/opportunities/{opportunity_id}/purge", status_code=status.HTTP_204_NO_CONTENT)
def purge_opportunity(principal: Admin, opportunity_id: str, session: WriteSession) -> None:
    """Erase a deleted opportunity for good; the audit log keeps its last state."""
    service.purge(session, opportunity_id=opportunity_id, by=principal)
