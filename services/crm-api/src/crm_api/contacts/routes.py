from __future__ import annotations

from fastapi.responses import JSONResponse

from crm_api.auth.dependencies import Reader
from crm_api.contacts import service
from crm_api.contacts.schemas import (
    ContactCreate,
    ContactDossier,
    ContactFilter,
    ContactPage,
    ContactRead,
    ContactUpdate,
)
from crm_api.database import ReadSession
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
        read=None,  # the dossier below answers GET /api/contacts/{id}
        update=service.update,
        delete=service.delete,
        restore=service.restore,
        purge=service.purge,
    )
)


@router.get("/contacts/{record_id}", response_model=ContactDossier)
def get_contact(_: Reader, record_id: str, session: ReadSession) -> JSONResponse:
    """The contact dossier: the contact and everything around it, in one call."""
    dossier = service.dossier(session, contact_id=record_id)
    return JSONResponse(
        dossier.model_dump(mode="json"), headers={"ETag": f'"{dossier.contact.version}"'}
    )
