from __future__ import annotations

from crm_api.kit.routes import AggregateRoutes, aggregate_router
from crm_api.tags import service
from crm_api.tags.schemas import TagCreate, TagFilter, TagPage, TagRead, TagUpdate

router = aggregate_router(
    AggregateRoutes(
        plural="tags",
        singular="tag",
        create_schema=TagCreate,
        update_schema=TagUpdate,
        read_schema=TagRead,
        filter_schema=TagFilter,
        page_schema=TagPage,
        search=service.search,
        create=service.create,
        read=service.read,
        update=service.update,
        delete=service.delete,
        restore=service.restore,
        purge=service.purge,
    )
)
