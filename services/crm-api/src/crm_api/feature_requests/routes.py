from __future__ import annotations

from crm_api.feature_requests import service
from crm_api.feature_requests.schemas import (
    FeatureRequestCreate,
    FeatureRequestFilter,
    FeatureRequestPage,
    FeatureRequestRead,
    FeatureRequestUpdate,
)
from crm_api.kit.routes import AggregateRoutes, aggregate_router

# Any signed-in person asks and updates (Writer); agents read them.
router = aggregate_router(
    AggregateRoutes(
        plural="feature-requests",
        singular="feature_request",
        create_schema=FeatureRequestCreate,
        update_schema=FeatureRequestUpdate,
        read_schema=FeatureRequestRead,
        filter_schema=FeatureRequestFilter,
        page_schema=FeatureRequestPage,
        search=service.search,
        create=service.create,
        read=service.read,
        update=service.update,
        delete=service.delete,
        restore=service.restore,
        purge=service.purge,
    )
)
