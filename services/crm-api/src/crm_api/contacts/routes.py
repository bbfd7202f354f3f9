from __future__ import annotations

from crm_api.contacts import service
from crm_api.contacts.schemas import (
    ContactCreate,
    ContactFilter,
    ContactPage,
    ContactRead,
    ContactUpdate,
)
from crm_api.kit.routes import AggregateRoutes, aggregate_router

router = aggregate_router(
    AggregateRoutes(
        plural="contacts",
        singular="contact",
        create_schema=ContactCreate,
        update_schema=ContactUpdate,
        read_schema=ContactRead,
        filter_schema=ContactFilter,
        page_schema=ContactPage,
        search=service.search,
        create=service.create,
        read=None,  # crm_api.dossiers answers GET /api/contacts/{id}
        update=service.update,
        delete=service.delete,
        restore=service.restore,
        purge=service.purge,
    )
)
