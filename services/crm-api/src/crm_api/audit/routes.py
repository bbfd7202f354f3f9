from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from crm_api.audit import service
from crm_api.audit.schemas import AuditFilter, AuditPage
from crm_api.auth.dependencies import Admin
from crm_api.database import ReadSession

router = APIRouter(prefix="/api", tags=["audit"])


@router.get("/audit-log", response_model=AuditPage)
def audit_log(
    _: Admin, filters: Annotated[AuditFilter, Query()], session: ReadSession
) -> AuditPage:
    """Every mutation, newest first, with its actor and before/after state."""
    return service.search(session, filters=filters)
