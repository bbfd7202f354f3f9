from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from crm_api.auth.dependencies import Reader
from crm_api.database import ReadSession
from crm_api.reports import service
from crm_api.reports.schemas import (
    ActivityReport,
    Bucket,
    Dashboard,
    LpBreakdown,
    OverdueFollowUps,
    PipelineReport,
)

router = APIRouter(prefix="/api/reports", tags=["reports"])

OwnerId = Annotated[str | None, Query(max_length=36, description="a user's id")]


@router.get("/dashboard", response_model=Dashboard)
def dashboard(principal: Reader, session: ReadSession) -> Dashboard:
    """Live counts, committed and funded totals per currency, recent communications, and open
    and overdue follow-ups (everyone's, and the caller's)."""
    return service.dashboard(session, principal=principal)


@router.get("/pipeline", response_model=PipelineReport)
def pipeline(
    _: Reader,
    session: ReadSession,
    fund_id: Annotated[str | None, Query(max_length=36, description="one fund only")] = None,
) -> PipelineReport:
    """Per pipeline stage, in the list's order and empty ones included: how many opportunities,
    and their expected, committed and funded sums per currency."""
    return service.pipeline(session, fund_id=fund_id)


@router.get("/lp-breakdown", response_model=LpBreakdown)
def lp_breakdown(_: Reader, session: ReadSession) -> LpBreakdown:
    """LPs per investor type and per fund, with committed and funded sums per currency."""
    return service.lp_breakdown(session)


@router.get("/activity", response_model=ActivityReport)
def activity(
    _: Reader,
    session: ReadSession,
    since: Annotated[date | None, Query(description="first day (UTC); default by bucket")] = None,
    until: Annotated[date | None, Query(description="last day (UTC), inclusive; today")] = None,
    bucket: Bucket = Bucket.DAY,
    owner_id: OwnerId = None,
) -> ActivityReport:
    """Communications per bucket and type, by when they happened; follow-ups created and
    completed per bucket. At most three years at a time. With owner_id: the communications that
    user logged and the follow-ups they own."""
    return service.activity(session, since=since, until=until, bucket=bucket, owner_id=owner_id)


@router.get("/overdue-follow-ups", response_model=OverdueFollowUps)
def overdue_follow_ups(
    _: Reader,
    session: ReadSession,
    owner_id: OwnerId = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> OverdueFollowUps:
    """Open follow-ups due before today, oldest first, with the names of their contact,
    organization and opportunity; `total` counts them all."""
    return service.overdue_follow_ups(session, owner_id=owner_id, limit=limit)
