from __future__ import annotations

from crm_api.funds import service
from crm_api.funds.schemas import FundCreate, FundFilter, FundPage, FundRead, FundUpdate
from crm_api.kit.routes import AggregateRoutes, aggregate_router

# Purge is refused (409) while opportunities, live or deleted, are in the fund.
router = aggregate_router(
    AggregateRoutes(
        plural="funds",
        singular="fund",
        create_schema=FundCreate,
        update_schema=FundUpdate,
        read_schema=FundRead,
        filter_schema=FundFilter,
        page_schema=FundPage,
        search=service.search,
        create=service.create,
        read=service.read,
        update=service.update,
        delete=service.delete,
        restore=service.restore,
        purge=service.purge,
    )
)
