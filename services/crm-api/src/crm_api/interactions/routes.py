from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from crm_api.auth.dependencies import Admin, McpSession, Reader
from crm_api.auth.errors import NotAllowed
from crm_api.auth.principal import Access
from crm_api.database import ReadSession, WriteSession
from crm_api.interactions import service
from crm_api.interactions.schemas import (
    ChainReport,
    InteractionCreate,
    InteractionFilter,
    InteractionPage,
    InteractionRead,
)

router = APIRouter(prefix="/api", tags=["interactions"])

TOOL_PREFIX = "tool."


@router.post("/interactions", response_model=InteractionRead, status_code=status.HTTP_201_CREATED)
def append_interaction(
    principal: Reader,
    body: InteractionCreate,
    session: WriteSession,
    mcp_session: McpSession = None,
) -> InteractionRead:
    """Append to the interaction log as the caller (the MCP gateway, with the agent's key).

    Every tool call is on the record, a read-only key's too: a caller that may read appends its
    own `tool.*` entries; any other action needs the logged-write access. The actor is always
    the caller, never a field of the body."""
    if not body.action.startswith(TOOL_PREFIX) and not principal.may(Access.LOGGED_WRITE):
        raise NotAllowed(f"this key may append only its own {TOOL_PREFIX}* entries")
    return service.append(session, actor=principal.actor, entry=body, session_id=mcp_session)


@router.get("/interactions", response_model=InteractionPage)
def read_interactions(
    _: Reader, filters: Annotated[InteractionFilter, Query()], session: ReadSession
) -> InteractionPage:
    """The log by entity, actor, action, outcome or MCP session, newest first."""
    return service.search(session, filters=filters)


@router.get("/admin/interactions/verify", response_model=ChainReport)
def verify_interactions(_: Admin, session: ReadSession) -> ChainReport:
    """Recompute the hash chain and name the first row that does not match."""
    return service.verify(session)
