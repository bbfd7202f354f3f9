from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_api.audit.models import AuditLog
from crm_api.audit.schemas import AuditFilter


def search(session: Session, *, filters: AuditFilter) -> list[AuditLog]:
    """Newest first; `cursor` is the id to continue below."""
    query = select(AuditLog).order_by(AuditLog.id.desc()).limit(filters.limit)
    for column, value in (
        (AuditLog.entity_type, filters.entity_type),
        (AuditLog.entity_id, filters.entity_id),
        (AuditLog.actor_id, filters.actor_id),
        (AuditLog.action, filters.action),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.since is not None:
        query = query.where(AuditLog.at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditLog.at < filters.until)
    if filters.cursor is not None:
        query = query.where(AuditLog.id < filters.cursor)
    return list(session.scalars(query))
