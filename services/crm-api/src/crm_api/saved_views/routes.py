"""Saved views' HTTP routes: /api/views.

This module does not use postponed annotations: FastAPI reads the endpoints' annotations.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from crm_api.auth.dependencies import Reader, Writer
from crm_api.database import ReadSession, WriteSession
from crm_api.kit.http import with_etag
from crm_api.kit.idempotency import IdempotencyKey, run_once
from crm_api.kit.pagination import IfMatch, parse_if_match
from crm_api.saved_views import service
from crm_api.saved_views.schemas import (
    SavedViewCreate,
    SavedViewFilter,
    SavedViewList,
    SavedViewRead,
    SavedViewUpdate,
)
from crm_common.errors import PROBLEM_JSON

router = APIRouter(prefix="/api", tags=["views"])

_PROBLEM = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_STALE: dict[int | str, dict[str, Any]] = {
    428: {"description": "If-Match is missing: send the version you read", "content": _PROBLEM}
}


@router.get("/views", response_model=SavedViewList, summary="Your saved views and the shared ones")
def list_views(
    principal: Reader, filters: Annotated[SavedViewFilter, Query()], session: ReadSession
) -> SavedViewList:
    return service.list_views(session, filters=filters, by=principal)


@router.post(
    "/views",
    response_model=SavedViewRead,
    status_code=status.HTTP_201_CREATED,
    summary="Save a list's filters as a view (yours, or shared with everyone)",
)
def create_view(
    principal: Writer, body: SavedViewCreate, session: WriteSession, key: IdempotencyKey = None
) -> JSONResponse:
    return run_once(
        session,
        principal=principal,
        key=key,
        scope="POST /api/views",
        request=body.model_dump(mode="json", by_alias=True),
        status=201,
        run=lambda: service.create_view(session, data=body, by=principal),
    )


@router.get("/views/{view_id}", response_model=SavedViewRead, summary="Read a saved view")
def read_view(principal: Reader, view_id: str, session: ReadSession) -> JSONResponse:
    return with_etag(service.read_view(session, record_id=view_id, by=principal))


@router.patch(
    "/views/{view_id}",
    response_model=SavedViewRead,
    responses=_STALE,
    summary="Rename, re-filter, share, unshare or move a view (its owner, or an admin)",
)
def update_view(
    principal: Writer,
    view_id: str,
    body: SavedViewUpdate,
    session: WriteSession,
    if_match: IfMatch = None,
) -> JSONResponse:
    return with_etag(
        service.update_view(
            session,
            record_id=view_id,
            data=body,
            expected_version=parse_if_match(if_match),
            by=principal,
        )
    )


@router.delete(
    "/views/{view_id}", response_model=SavedViewRead, summary="Delete a view (restorable)"
)
def delete_view(principal: Writer, view_id: str, session: WriteSession) -> JSONResponse:
    return with_etag(service.delete_view(session, record_id=view_id, by=principal))


@router.post(
    "/views/{view_id}/restore", response_model=SavedViewRead, summary="Restore a deleted view"
)
def restore_view(principal: Writer, view_id: str, session: WriteSession) -> JSONResponse:
    return with_etag(service.restore_view(session, record_id=view_id, by=principal))
