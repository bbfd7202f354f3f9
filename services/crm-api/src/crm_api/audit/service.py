"""Recording and reading the audit log.

auth's identity changes reach it through the recorder registered here (crm_api.auth.hooks).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_api.audit import repository
from crm_api.audit.models import AuditLog
from crm_api.audit.schemas import AuditEntryRead, AuditFilter, AuditPage
from crm_api.auth import hooks
from crm_api.auth.principal import SYSTEM
from crm_api.database import utcnow
from crm_common import logging as crm_logging
from crm_common.events import Actor


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """{field: [old, new]} for every field that changed."""
    before, after = before or {}, after or {}
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record(
    session: Session,
    *,
    actor: Actor | None,
    entity_type: str,
    entity_id: str,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    who = actor or SYSTEM
    entry = AuditLog(
        at=utcnow(),
        actor_kind=who.kind,
        actor_id=who.id,
        actor_name=who.name,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        before=before,
        after=after,
        changes=diff(before, after),
        request_id=crm_logging.request_id.get(),
    )
    session.add(entry)
    return entry


def search(session: Session, *, filters: AuditFilter) -> AuditPage:
    rows = repository.search(session, filters=filters)
    items = [AuditEntryRead.model_validate(row) for row in rows]
    next_cursor = items[-1].id if len(items) == filters.limit else None
    return AuditPage(items=items, next_cursor=next_cursor)


def _record_identity_change(session: Session, change: hooks.IdentityChange) -> None:
    if change.audited is not None:
        record(
            session,
            actor=change.actor,
            entity_type=change.audited.entity_type,
            entity_id=change.audited.entity_id,
            action=change.audited.action,
            before=change.audited.before,
            after=change.audited.after,
        )


hooks.on_change("audit", _record_identity_change)
