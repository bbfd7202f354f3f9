from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from crm_api.activity import service
from crm_api.activity.schemas import ActivityFilter, ActivityPage
from crm_api.auth.dependencies import Admin
from crm_api.database import ReadSession

router = APIRouter(prefix="/api/grid", tags=["grid activity"])


@router.get("/activity", response_model=ActivityPage, summary="The grid's activity (admins)")
def activity(
    _: Admin,
    request: Request,
    filters: Annotated[ActivityFilter, Query()],
    session: ReadSession,
) -> ActivityPage:
    """The audit log of the grid (rows, columns, views, lists, rules, cells, funds), the
    automations' runs and the backups, merged newest first."""
    return service.feed(session, request.app.state.backups, filters=filters)
