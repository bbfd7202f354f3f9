from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from crm_api.auth.dependencies import Reader
from crm_api.communications.schemas import CommunicationFilter, CommunicationPage
from crm_api.database import ReadSession
from crm_api.dossiers import service
from crm_api.dossiers.schemas import ContactDossier, OrganizationDossier
from crm_api.security.dependencies import UntrustedContent

router = APIRouter(prefix="/api", tags=["dossiers"])


@router.get("/contacts/{record_id}", response_model=ContactDossier, tags=["contacts"])
def contact_dossier(
    _: Reader, record_id: str, session: ReadSession, trust: UntrustedContent
) -> JSONResponse:
    """The contact dossier: the contact, its organizations, opportunities, LP profile, open
    follow-ups and latest communications, in one call. The ETag is the contact's version."""
    dossier = service.contact_dossier(session, contact_id=record_id)
    trust.served(has_outside_text=bool(dossier.latest_communications))
    return JSONResponse(
        dossier.model_dump(mode="json"), headers={"ETag": f'"{dossier.contact.version}"'}
    )


@router.get(
    "/organizations/{record_id}", response_model=OrganizationDossier, tags=["organizations"]
)
def organization_dossier(
    _: Reader, record_id: str, session: ReadSession, trust: UntrustedContent
) -> JSONResponse:
    """The organization dossier: the organization, its people, opportunities, LP profile, open
    follow-ups and latest communications. The ETag is the organization's version."""
    dossier = service.organization_dossier(session, organization_id=record_id)
    trust.served(has_outside_text=bool(dossier.latest_communications))
    return JSONResponse(
        dossier.model_dump(mode="json"), headers={"ETag": f'"{dossier.organization.version}"'}
    )


@router.get(
    "/contacts/{record_id}/communications", response_model=CommunicationPage, tags=["contacts"]
)
def contact_history(
    _: Reader,
    record_id: str,
    filters: Annotated[CommunicationFilter, Query()],
    session: ReadSession,
    trust: UntrustedContent,
) -> CommunicationPage:
    """Every communication on or attended by the contact, newest first, a page at a time."""
    history = service.history(session, filters=filters, contact_id=record_id)
    trust.served(has_outside_text=bool(history.items))
    return history


@router.get(
    "/organizations/{record_id}/communications",
    response_model=CommunicationPage,
    tags=["organizations"],
)
def organization_history(
    _: Reader,
    record_id: str,
    filters: Annotated[CommunicationFilter, Query()],
    session: ReadSession,
    trust: UntrustedContent,
) -> CommunicationPage:
    """Every communication on the organization, newest first, a page at a time."""
    history = service.history(session, filters=filters, organization_id=record_id)
    trust.served(has_outside_text=bool(history.items))
    return history
