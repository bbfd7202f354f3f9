"""The grid's activity feed (the seed's, admins only): the audit log of the grid's records,
funds, opportunities and backups, the automations' runs, and the backups taken and restored,
merged newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crm_api.activity import repository
from crm_api.activity.schemas import ActivityFilter, ActivityItem, ActivityPage
from crm_api.backups.store import Store


def _backup_items(store: Store, before: datetime | None) -> list[ActivityItem]:
    found: list[ActivityItem] = []
    for manifest in store.all():
        moments = [("created", str(manifest["created_at"]))]
        moments += [("restored", str(at)) for at in manifest.get("restored_at", [])]
        for what, at in moments:
            when = datetime.fromisoformat(at)
            if before is not None and when >= before:
                continue
            found.append(
                ActivityItem(
                    at=when,
                    source="backup",
                    action=what,
                    entity_type="backup",
                    entity_id=manifest["id"],
                    actor=manifest.get("created_by") if what == "created" else None,
                    summary=f"{manifest['kind']} backup {what} ({manifest['size']} bytes)",
                    detail={
                        "kind": manifest["kind"],
                        "size": manifest["size"],
                        "verification": manifest.get("verification"),
                    },
                )
            )
    return found


def feed(session: Session, store: Store, *, filters: ActivityFilter) -> ActivityPage:
    items: list[ActivityItem] = []
    if "audit" in filters.sources:
        for entry in repository.audit_entries(session, before=filters.before, limit=filters.limit):
            changed = sorted((entry.changes or {}).keys())
            items.append(
                ActivityItem(
                    at=entry.at,
                    source="audit",
                    action=entry.action,
                    entity_type=entry.entity_type,
                    entity_id=entry.entity_id,
                    actor={
                        "kind": entry.actor_kind,
                        "id": entry.actor_id,
                        "name": entry.actor_name,
                    },
                    summary=f"{entry.action} {entry.entity_type}"
                    + (f": {', '.join(changed[:6])}" if changed else ""),
                    detail={"changes": entry.changes or {}, "request_id": entry.request_id},
                )
            )
    if "automation" in filters.sources:
        for run in repository.rule_runs(session, before=filters.before, limit=filters.limit):
            detail: dict[str, Any] = {
                "status": run.status,
                "rows_evaluated": run.rows_evaluated,
                "rows_matched": run.rows_matched,
                "changes": run.changes[:50],
                "error": run.error,
            }
            items.append(
                ActivityItem(
                    at=run.started_at,
                    source="automation",
                    action=run.trigger,
                    entity_type="grid_rule_run",
                    entity_id=run.id,
                    actor=run.actor,
                    summary=f"{run.trigger} run{' (dry)' if run.is_dry_run else ''}: "
                    f"{run.change_count} changes",
                    detail=detail | {"rule_id": run.rule_id},
                )
            )
    if "backup" in filters.sources:
        items.extend(_backup_items(store, filters.before))
    items.sort(key=lambda item: item.at, reverse=True)
    page = items[: filters.limit]
    following = page[-1].at if len(items) > filters.limit else None
    return ActivityPage(items=page, next_before=following)
