"""Routes: agent actions, the agent session, and the proposals that hold agents' actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import JSONResponse

from crm_api.agents import proposals, service
from crm_api.agents.results import AgentActionResult
from crm_api.agents.schemas import (
    AgentAction,
    AgentSessionRead,
    ProposalDecision,
    ProposalFilter,
    ProposalPage,
    ProposalRead,
)
from crm_api.auth.dependencies import LoggedWriter, McpSession, Reader, Writer
from crm_api.database import ReadSession, WriteSession, get_database
from crm_api.kit.http import with_etag
from crm_api.kit.idempotency import IdempotencyKey, run_once
from crm_api.kit.pagination import IfMatch, parse_if_match
from crm_common.db import Database
from crm_common.errors import CRMError

router = APIRouter(prefix="/api/agent", tags=["agents"])


@router.post(
    "/actions",
    response_model=AgentActionResult,
    status_code=201,
    responses={
        200: {"model": AgentActionResult, "description": "a dry run: nothing written"},
        202: {"model": AgentActionResult, "description": "held as a proposal for a person"},
    },
    summary="Take a logged action for an agent (or a user): apply it, propose it, or dry-run it",
)
def perform_agent_action(
    principal: LoggedWriter,
    body: Annotated[AgentAction, Body()],
    db: Annotated[Database, Depends(get_database)],
    key: IdempotencyKey = None,
    mcp_session: McpSession = None,
) -> JSONResponse:
    """201 applied, 202 proposed (stage and money by an agent, anything from a tainted session),
    200 a dry run. An API key sends an Idempotency-Key and 1 to 50 evidence records.

    This route owns two transactions: the action's, and, when the action is refused, the one
    that writes the refusal to the interaction log (the first one's rollback would lose it)."""
    try:
        with db.transaction() as session:
            service.require_idempotency_key(by=principal, key=key)
            return run_once(
                session,
                principal=principal,
                # A dry run writes nothing, its key included: the real run may reuse the key.
                key=None if body.dry_run else key,
                scope=service.SCOPE,
                request=service.canonical(body),
                status=201,
                status_of=service.status_of,
                run=lambda: service.perform(
                    session, request=body, by=principal, mcp_session=mcp_session
                ),
            )
    except CRMError as error:
        with db.transaction() as session:
            service.record_refusal(
                session, request=body, by=principal, mcp_session=mcp_session, error=error
            )
        raise


@router.get("/session", response_model=AgentSessionRead)
def agent_session(
    principal: Reader, session: ReadSession, mcp_session: McpSession = None
) -> AgentSessionRead:
    """Whether this key's MCP session (X-MCP-Session, or none) was served text from outside the
    fund, and so whether its writes are held as proposals."""
    return service.session_state(session, by=principal, mcp_session=mcp_session)


proposals_router = APIRouter(prefix="/api", tags=["proposals"])


@proposals_router.get("/proposals", response_model=ProposalPage)
def list_proposals(
    _: Reader, filters: Annotated[ProposalFilter, Query()], session: ReadSession
) -> ProposalPage:
    """Proposals, newest first; `entity_type` + `entity_id` match the target or the evidence."""
    return proposals.search(session, filters=filters)


@proposals_router.get("/proposals/{proposal_id}", response_model=ProposalRead)
def get_proposal(_: Reader, proposal_id: str, session: ReadSession) -> JSONResponse:
    return with_etag(proposals.read(session, proposal_id=proposal_id))


@proposals_router.post("/proposals/{proposal_id}/approve", response_model=ProposalRead)
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
        proposals.approve(
            session,
            proposal_id=proposal_id,
            note=body.note,
            expected_version=parse_if_match(if_match),
            by=principal,
        )
    )


@proposals_router.post("/proposals/{proposal_id}/reject", response_model=ProposalRead)
def reject_proposal(
    principal: Writer,
    proposal_id: str,
    body: ProposalDecision,
    session: WriteSession,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Drop the held action (signed-in people only); 409 if it was decided already."""
    return with_etag(
        proposals.reject(
            session,
            proposal_id=proposal_id,
            note=body.note,
            expected_version=parse_if_match(if_match),
            by=principal,
        )
    )
