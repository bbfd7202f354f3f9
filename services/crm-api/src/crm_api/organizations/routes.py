from __future__ import annotations

from crm_api.kit.routes import AggregateRoutes, aggregate_router
from crm_api.organizations import service
from crm_api.organizations.schemas import (
    OrganizationCreate,
    OrganizationFilter,
    OrganizationPage,
    OrganizationRead,
    OrganizationUpdate,
)

router = aggregate_router(
    AggregateRoutes(
        plural="organizations",
        singular="organization",
        create_schema=OrganizationCreate,
        update_schema=OrganizationUpdate,
        read_schema=OrganizationRead,
        filter_schema=OrganizationFilter,
        page_schema=OrganizationPage,
        search=service.search,
        create=service.create,
        read=None,  # crm_api.dossiers answers GET /api/organizations/{id}
        update=service.update,
        delete=service.delete,
        restore=service.restore,
        purge=service.purge,
    )
)
