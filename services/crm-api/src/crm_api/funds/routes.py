from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from crm_api.auth.dependencies import Admin, Reader, Writer
from crm_api.database import ReadSession, WriteSession
from crm_api.funds import service
from crm_api.funds.schemas import FundCreate, FundFilter, FundPage, FundRead, FundUpdate
from crm_api.kit.http import with_etag
from crm_api.kit.idempotency import IdempotencyKey, run_once
from crm_api.kit.pagination import IfMatch, parse_if_match

router = APIRouter(prefix="/api", tags=["funds"])


@router.get("/funds", response_model=FundPage)
def list_funds(
    _: Reader, filters: Annotated[FundFilter, Query()], session: ReadSession
) -> FundPage:
    """Funds matching the filters, a page at a time, with the total count (grid order first)."""
    return service.search(session, filters=filters)


@router.post("/funds", response_model=FundRead, status_code=status.HTTP_201_CREATED)
def create_fund(
    principal: Writer, body: FundCreate, session: WriteSession, key: IdempotencyKey = None
) -> JSONResponse:
    """Create a fund. With an Idempotency-Key, a retry returns the first answer."""
    return run_once(
        session,
        principal=principal,
        key=key,
        scope="POST /api/funds",
        request=body.model_dump(mode="json"),
        status=201,
        run=lambda: service.create(session, data=body, by=principal),
    )


@router.get("/funds/{fund_id}", response_model=FundRead)
def get_fund(_: Reader, fund_id: str, session: ReadSession) -> JSONResponse:
    return with_etag(service.to_read(service.get(session, fund_id=fund_id)))


@router.patch("/funds/{fund_id}", response_model=FundRead)
def update_fund(
    principal: Writer,
    fund_id: str,
    body: FundUpdate,
    session: WriteSession,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Change fields; If-Match must name the version you read (409 if it moved on)."""
    return with_etag(
        service.update(
            session,
            fund_id=fund_id,
            data=body,
            expected_version=parse_if_match(if_match),
            by=principal,
        )
    )


@router.delete("/funds/{fund_id}", response_model=FundRead)
def delete_fund(principal: Writer, fund_id: str, session: WriteSession) -> JSONResponse:
    """Soft delete: hidden from lists, restorable."""
    return with_etag(service.delete(session, fund_id=fund_id, by=principal))


@router.post("/funds/{fund_id}/restore", response_model=FundRead)
def restore_fund(principal: Writer, fund_id: str, session: WriteSession) -> JSONResponse:
    return with_etag(service.restore(session, fund_id=fund_id, by=principal))


@router.post("/admin/funds/{fund_id}/purge", status_code=status.HTTP_204_NO_CONTENT)
def purge_fund(principal: Admin, fund_id: str, session: WriteSession) -> None:
    """Erase a deleted fund with no opportunities for good; the audit log keeps its last state."""
    service.purge(session, fund_id=fund_id, by=principal)
