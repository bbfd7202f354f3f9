"""The backup policy: how often an automatic backup is taken and how long backups are kept.

It lives in the backup directory (`policy.json`), not the database, so a restore never rewinds
it. One replica at a time takes the automatic backup (a file lock in the directory).
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timedelta
from typing import Any

from crm_api.audit import service as audit
from crm_api.backups import service
from crm_api.backups.schemas import BackupPolicy, BackupPolicyRead, BackupRead
from crm_api.backups.store import Store
from crm_api.database import utcnow
from crm_api.interactions import service as interactions
from crm_common.db import Database
from crm_common.events import Actor

logger = logging.getLogger(__name__)


def _policy_raw(store: Store) -> dict[str, Any]:
    path = store.policy_path
    if path.exists():
        try:
            loaded: dict[str, Any] = json.loads(path.read_text())
            return loaded
        except (OSError, ValueError):
            logger.warning("unreadable backup policy; using the defaults")
    raw = BackupPolicy().model_dump(mode="json") | {
        "updated_at": utcnow().isoformat(),
        "updated_by": None,
    }
    store.ensure()
    path.write_text(json.dumps(raw, indent=2))
    return raw


def _next_due(store: Store, raw: dict[str, Any]) -> datetime | None:
    if not raw.get("enabled"):
        return None
    autos = [m for m in store.all() if m["kind"] == "auto"]
    since = datetime.fromisoformat(str(autos[0]["created_at"] if autos else raw["updated_at"]))
    return since + timedelta(hours=float(raw["interval_hours"]))


def read_policy(store: Store) -> BackupPolicyRead:
    raw = _policy_raw(store)
    return BackupPolicyRead.model_validate(raw | {"next_due_at": _next_due(store, raw)})


def set_policy(db: Database, store: Store, *, data: BackupPolicy, actor: Actor) -> BackupPolicyRead:
    before = _policy_raw(store)
    raw = data.model_dump(mode="json") | {
        "updated_at": utcnow().isoformat(),
        "updated_by": actor.model_dump(mode="json"),
    }
    partial = store.policy_path.with_suffix(".json.partial")
    partial.write_text(json.dumps(raw, indent=2))
    os.replace(partial, store.policy_path)
    with db.transaction() as session:
        audit.record(
            session,
            actor=actor,
            entity_type="backup_policy",
            entity_id="policy",
            action="update",
            before=before,
            after=raw,
        )
        interactions.touch(
            session,
            actor=actor,
            action="backup_policy.update",
            channel="PUT /api/admin/backups/policy",
            targets=[],
            summary="changed the backup policy",
        )
    return read_policy(store)


def prune(db: Database, store: Store, *, actor: Actor, now: datetime) -> list[str]:
    """Drop the automatic backups beyond `keep_last`, and automatic and pre-restore ones older
    than `keep_days`; manual backups stay until an admin removes them. Returns the ids."""
    raw = _policy_raw(store)
    removed: list[str] = []
    autos = [m for m in store.all() if m["kind"] == "auto"]
    doomed = autos[int(raw["keep_last"]) :]
    if raw.get("keep_days"):
        cutoff = now - timedelta(days=int(raw["keep_days"]))
        doomed += [
            m
            for m in store.all()
            if m["kind"] in ("auto", "pre_restore")
            and datetime.fromisoformat(str(m["created_at"])) < cutoff
            and m not in doomed
        ]
    for manifest in doomed:
        store.remove(manifest)
        manifest["version"] = int(manifest["version"]) + 1
        service.log(db, actor=actor, action="deleted", manifest=manifest)
        removed.append(manifest["id"])
    return removed


def run_due(db: Database, store: Store, *, actor: Actor, now: datetime) -> BackupRead | None:
    """Take the automatic backup if the policy says it is due (one replica at a time)."""
    if service.availability(db) is not None:
        return None
    with store.lock("auto") as held:
        if not held:
            return None
        due = _next_due(store, _policy_raw(store))
        if due is None or due > now:
            return None
        made = service.create(
            db, store, kind="auto", actor=actor, note="on the backup policy", now=now
        )
        prune(db, store, actor=actor, now=now)
        return made
