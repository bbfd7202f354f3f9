"""The activity feed's reads of the audit log (the grid's records, funds, opportunities,
backups) and of the automations' runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crm_api.audit.models import AuditLog
from crm_api.automations.models import GridRuleRun

ENTITIES = (
    "grid_row",
    "grid_column",
    "grid_view",
    "grid_list",
    "grid_list_member",
    "grid_rule",
    "opportunity",
    "fund",
    "backup",
    "backup_policy",
)


def audit_entries(session: Session, *, before: datetime | None, limit: int) -> list[AuditLog]:
    query = select(AuditLog).where(AuditLog.entity_type.in_(ENTITIES))
    if before is not None:
        query = query.where(AuditLog.at < before)
    return list(
        session.scalars(query.order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit))
    )


def rule_runs(session: Session, *, before: datetime | None, limit: int) -> list[GridRuleRun]:
    """Runs that changed something, and every run asked for (scheduled, by hand, dry)."""
    query = select(GridRuleRun).where(
        or_(GridRuleRun.change_count > 0, GridRuleRun.trigger != "change")
    )
    if before is not None:
        query = query.where(GridRuleRun.started_at < before)
    return list(
        session.scalars(
            query.order_by(GridRuleRun.started_at.desc(), GridRuleRun.id.desc()).limit(limit)
        )
    )
