from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse

from crm_api.agents import service
from crm_api.agents.dependencies import McpSession
from crm_api.agents.results import AgentActionResult
from crm_api.agents.schemas import AgentAction, AgentSessionRead
from crm_api.auth.dependencies import LoggedWriter, Reader
from crm_api.database import ReadSession, get_database
from crm_api.kit.idempotency import IdempotencyKey, run_once
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
