from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from crm_api.auth.dependencies import Reader, Writer
from crm_api.database import ReadSession, WriteSession
from crm_api.kit.http import with_etag
from crm_api.kit.pagination import IfMatch, parse_if_match
from crm_api.proposals import service
from crm_api.proposals.schemas import (
    ProposalDecision,
    ProposalFilter,
    ProposalPage,
    ProposalRead,
)

router = APIRouter(prefix="/api", tags=["proposals"])


@router.get("/proposals", response_model=ProposalPage)
def list_proposals(
    _: Reader, filters: Annotated[ProposalFilter, Query()], session: ReadSession
) -> ProposalPage:
    """Proposals, newest first; `entity_type` + `entity_id` match the target or the evidence."""
    return service.search(session, filters=filters)


@router.get("/proposals/{proposal_id}", response_model=ProposalRead)
def get_proposal(_: Reader, proposal_id: str, session: ReadSession) -> JSONResponse:
    return with_etag(service.read(session, proposal_id=proposal_id))


@router.post("/proposals/{proposal_id}/approve", response_model=ProposalRead)
def approve_proposal(
    principal: Writer,
    proposal_id: str,
    body: ProposalDecision,
    session: WriteSession,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Apply the held action as you (signed-in people only); 409 if it was decided, or if it no
    longer applies (it then stays pending)."""
    return with_etag(
        service.approve(
            session,
            proposal_id=proposal_id,
            note=body.note,
            expected_version=parse_if_match(if_match),
            by=principal,
        )
    )


@router.post("/proposals/{proposal_id}/reject", response_model=ProposalRead)
def reject_proposal(
    principal: Writer,
    proposal_id: str,
    body: ProposalDecision,
    session: WriteSession,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Drop the held action (signed-in people only); 409 if it was decided already."""
    return with_etag(
        service.reject(
            session,
            proposal_id=proposal_id,
            note=body.note,
            expected_version=parse_if_match(if_match),
            by=principal,
        )
    )
