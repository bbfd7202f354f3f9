from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from crm_api.auth.dependencies import Admin, LoggedWriter, Reader
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


@router.post("/interactions", response_model=InteractionRead, status_code=status.HTTP_201_CREATED)
def append_interaction(
    principal: LoggedWriter, body: InteractionCreate, session: WriteSession
) -> InteractionRead:
    """Append to the interaction log as the caller (the MCP gateway, with the agent's key)."""
    return service.append(session, actor=principal.actor, entry=body)


@router.get("/interactions", response_model=InteractionPage)
def read_interactions(
    _: Reader, filters: Annotated[InteractionFilter, Query()], session: ReadSession
) -> InteractionPage:
    """The log by entity or by actor, newest first."""
    return service.search(session, filters=filters)


@router.get("/admin/interactions/verify", response_model=ChainReport)
def verify_interactions(_: Admin, session: ReadSession) -> ChainReport:
    """Recompute the hash chain and name the first row that does not match."""
    return service.verify(session)
