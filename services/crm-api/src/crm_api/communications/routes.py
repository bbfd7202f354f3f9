from __future__ import annotations

from crm_api.communications import service
from crm_api.communications.schemas import (
    CommunicationCreate,
    CommunicationFilter,
    CommunicationPage,
    CommunicationRead,
    CommunicationUpdate,
)
from crm_api.kit.routes import AggregateRoutes, aggregate_router
from crm_api.security.dependencies import untrusted_content

router = aggregate_router(
    AggregateRoutes(
        plural="communications",
        singular="communication",
        create_schema=CommunicationCreate,
        update_schema=CommunicationUpdate,
        read_schema=CommunicationRead,
        filter_schema=CommunicationFilter,
        page_schema=CommunicationPage,
        search=service.search,
        create=service.create,
        read=service.read,
        update=service.update,
        delete=service.delete,
        restore=service.restore,
        purge=service.purge,
        # Subjects and bodies are outside text: an API key's session is tainted by reading them.
        read_dependencies=[untrusted_content],
    )
)
