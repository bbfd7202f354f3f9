from __future__ import annotations

from crm_api.kit.routes import AggregateRoutes, aggregate_router
from crm_api.lp_profiles import service
from crm_api.lp_profiles.schemas import (
    LpProfileCreate,
    LpProfileFilter,
    LpProfilePage,
    LpProfileRead,
    LpProfileUpdate,
    LpProfileView,
)

router = aggregate_router(
    AggregateRoutes(
        plural="lp-profiles",
        singular="lp-profile",
        create_schema=LpProfileCreate,
        update_schema=LpProfileUpdate,
        read_schema=LpProfileRead,
        view_schema=LpProfileView,
        filter_schema=LpProfileFilter,
        page_schema=LpProfilePage,
        search=service.search,
        create=service.create,
        read=service.read,
        update=service.update,
        delete=service.delete,
        restore=service.restore,
        purge=service.purge,
    )
)
