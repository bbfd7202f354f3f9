from __future__ import annotations

from fastapi.responses import JSONResponse

from crm_api.auth.dependencies import Writer
from crm_api.database import WriteSession
from crm_api.followups import service
from crm_api.followups.schemas import (
    FollowUpCreate,
    FollowUpFilter,
    FollowUpPage,
    FollowUpRead,
    FollowUpUpdate,
    FollowUpView,
)
from crm_api.kit.http import with_etag
from crm_api.kit.routes import AggregateRoutes, aggregate_router

router = aggregate_router(
    AggregateRoutes(
        plural="follow-ups",
        singular="follow-up",
        create_schema=FollowUpCreate,
        update_schema=FollowUpUpdate,
        read_schema=FollowUpRead,
        view_schema=FollowUpView,
        filter_schema=FollowUpFilter,
        page_schema=FollowUpPage,
        search=service.search,
        create=service.create,
        read=service.read,
        update=service.update,
        delete=service.delete,
        restore=service.restore,
        purge=service.purge,
    )
)


@router.post("/follow-ups/{record_id}/complete", response_model=FollowUpRead)
def complete_follow_up(principal: Writer, record_id: str, session: WriteSession) -> JSONResponse:
    """Mark a follow-up done; completing it again changes nothing."""
    return with_etag(service.complete(session, record_id=record_id, by=principal))
