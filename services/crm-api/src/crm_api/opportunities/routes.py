from __future__ import annotations

from fastapi.responses import JSONResponse

from crm_api.auth.dependencies import Writer
from crm_api.database import WriteSession
from crm_api.kit.http import with_etag
from crm_api.kit.pagination import IfMatch, parse_if_match
from crm_api.kit.routes import AggregateRoutes, aggregate_router
from crm_api.opportunities import service
from crm_api.opportunities.schemas import (
    OpportunityCreate,
    OpportunityFilter,
    OpportunityPage,
    OpportunityRead,
    OpportunityStageChange,
    OpportunityUpdate,
)

# A restore is refused (409) when the investor has since got another live opportunity in the fund.
router = aggregate_router(
    AggregateRoutes(
        plural="opportunities",
        singular="opportunity",
        create_schema=OpportunityCreate,
        update_schema=OpportunityUpdate,
        read_schema=OpportunityRead,
        filter_schema=OpportunityFilter,
        page_schema=OpportunityPage,
        search=service.search,
        create=service.create,
        read=service.read,
        update=service.update,
        delete=service.delete,
        restore=service.restore,
        purge=service.purge,
    )
)


@router.patch("/opportunities/{record_id}/stage", response_model=OpportunityRead)
def change_opportunity_stage(
    principal: Writer,
    record_id: str,
    body: OpportunityStageChange,
    session: WriteSession,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Move to another pipeline stage (closed_lost needs a lost_reason); If-Match required."""
    return with_etag(
        service.change_stage(
            session,
            record_id=record_id,
            data=body,
            expected_version=parse_if_match(if_match),
            by=principal,
        )
    )
