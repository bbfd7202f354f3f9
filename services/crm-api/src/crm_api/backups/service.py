"""Backups of the whole CRM database: taken by hand or on a policy, verified, listed, previewed,
restored. Admin-only (the routes), and each one audited, in the interaction log, and an event.

This module takes, checks and lists them; crm_api.backups.store holds the directory,
crm_api.backups.restore previews and restores, crm_api.backups.policy takes them on a schedule.

Where: `CRM_API_BACKUP_DIR` (default DATA_DIR/backups): `<id>.sqlite3` or `<id>.dump`, and its
manifest `<id>.json` (kind manual/auto/pre_restore, sha256, size, created, who, schema revision,
row counts, the last interaction-log and audit-log entries it holds, its verification). The
policy (interval, retention) is `policy.json` there too, so a restore never rewinds it.

Verification: the file's size and sha256 against the manifest, then an integrity check (SQLite
`PRAGMA integrity_check`; PostgreSQL `pg_restore --list`). A backup is verified when taken, and
again before it is restored.
"""

from __future__ import annotations

import contextlib
import os
import time
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crm_api.audit import service as audit
from crm_api.backups import engines
from crm_api.backups.errors import BackupCorrupt, BackupUnavailable
from crm_api.backups.schemas import BackupKind, BackupList, BackupRead, Verification
from crm_api.backups.store import Store, sha256
from crm_api.database import utcnow
from crm_api.interactions import service as interactions
from crm_common.db import Database
from crm_common.events import Actor
from crm_common.ids import new_id_str
from crm_common.outbox import record_change

SOURCE = "/crm-api"


def to_read(manifest: dict[str, Any]) -> BackupRead:
    return BackupRead.model_validate(manifest)


def log(
    db: Database, *, actor: Actor, action: str, manifest: dict[str, Any], before: Any = None
) -> None:
    """Audit, interaction log, and the `crm.backup.<action>` event, in one transaction."""
    with db.transaction() as session:
        log_in(session, actor=actor, action=action, manifest=manifest, before=before)


def log_in(
    session: Session, *, actor: Actor, action: str, manifest: dict[str, Any], before: Any = None
) -> None:
    state = to_read(manifest).model_dump(mode="json")
    verbs = {"created": "create", "updated": "verify", "restored": "restore", "deleted": "delete"}
    audit.record(
        session,
        actor=actor,
        entity_type="backup",
        entity_id=manifest["id"],
        action=verbs[action],
        before=before,
        after=state if action != "deleted" else None,
    )
    interactions.touch(
        session,
        actor=actor,
        action=f"backup.{verbs[action]}",
        channel="backups",
        targets=[("backup", manifest["id"])],
        summary=f"{verbs[action]} {manifest['kind']} backup {manifest['id']}",
    )
    record_change(
        session,
        source=SOURCE,
        event_type=f"crm.backup.{action}",
        aggregate_id=manifest["id"],
        version=int(manifest["version"]),
        data=state,
        actor=actor,
    )


# -- taking and checking ------------------------------------------------------------------------


def availability(db: Database) -> str | None:
    """Why this database cannot be backed up here, or None."""
    if db.is_sqlite:
        try:
            engines.sqlite_path(db.url)
        except BackupUnavailable as exc:
            return exc.detail
        return None
    return engines.pg_available()


def create(
    db: Database,
    store: Store,
    *,
    kind: BackupKind,
    actor: Actor,
    note: str = "",
    now: datetime | None = None,
    session: Session | None = None,
) -> BackupRead:
    """Take a backup of the whole database, verify it, record it (in `session`'s transaction
    when given: the copy is read apart, and a reader never waits for that writer).

    Raises:
        BackupUnavailable: no backup tool for this database here.
        BackupCorrupt: the copy failed its own verification (it is not kept).
    """
    reason = availability(db)
    if reason:
        raise BackupUnavailable(reason)
    store.ensure()
    backup_id = new_id_str()
    suffix = "sqlite3" if db.is_sqlite else "dump"
    final = store.directory / f"{backup_id}.{suffix}"
    partial = store.directory / f".{backup_id}.{suffix}.partial"
    started = time.perf_counter()
    created_at = now or utcnow()
    try:
        if db.is_sqlite:
            taken = engines.sqlite_backup(engines.sqlite_path(db.url), partial)
            checked = engines.sqlite_check(partial)
        else:
            taken = engines.pg_backup(db.engine, db.url, partial)
            checked = engines.pg_check(partial)
        if not checked.ok:
            raise BackupCorrupt(f"the new backup failed its integrity check: {checked.detail}")
        os.chmod(partial, 0o600)
        os.replace(partial, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    manifest: dict[str, Any] = {
        "id": backup_id,
        "version": 1,
        "kind": kind,
        "backend": "sqlite" if db.is_sqlite else "postgresql",
        "file": final.name,
        "size": final.stat().st_size,
        "sha256": sha256(final),
        "created_at": created_at.isoformat(),
        "created_by": actor.model_dump(mode="json"),
        "duration_ms": int((time.perf_counter() - started) * 1000),
        "schema_revision": taken.revision,
        "counts": taken.counts,
        "log_marks": taken.log_marks,
        "note": note,
        "verification": {
            "ok": True,
            "checked_at": utcnow().isoformat(),
            "checksum_ok": True,
            "integrity_ok": True,
            "detail": checked.detail,
        },
        "restored_at": [],
    }
    store.save(manifest)
    if session is not None:
        log_in(session, actor=actor, action="created", manifest=manifest)
    else:
        log(db, actor=actor, action="created", manifest=manifest)
    return to_read(manifest)


def check(db: Database, store: Store, manifest: dict[str, Any]) -> Verification:
    path = store.file_of(manifest)
    now = utcnow()
    if not path.exists():
        return Verification(
            ok=False, checked_at=now, checksum_ok=False, integrity_ok=False, detail="file missing"
        )
    checksum_ok = path.stat().st_size == manifest["size"] and sha256(path) == manifest["sha256"]
    checked = (
        engines.sqlite_check(path) if manifest["backend"] == "sqlite" else engines.pg_check(path)
    )
    detail = (
        "ok"
        if checksum_ok and checked.ok
        else "; ".join(
            part
            for part in (
                None if checksum_ok else "the checksum does not match the manifest",
                None if checked.ok else f"integrity check: {checked.detail}",
            )
            if part
        )
    )
    return Verification(
        ok=checksum_ok and checked.ok,
        checked_at=now,
        checksum_ok=checksum_ok,
        integrity_ok=checked.ok,
        detail=detail,
    )


def verify(db: Database, store: Store, *, backup_id: str, actor: Actor) -> BackupRead:
    """Check the backup's checksum and integrity now, and record the result."""
    manifest = store.load(backup_id)
    before = to_read(manifest).model_dump(mode="json")
    manifest["verification"] = check(db, store, manifest).model_dump(mode="json")
    manifest["version"] = int(manifest["version"]) + 1
    store.save(manifest)
    log(db, actor=actor, action="updated", manifest=manifest, before=before)
    return to_read(manifest)


def listing(db: Database, store: Store) -> BackupList:
    reason = availability(db)
    return BackupList(
        items=[to_read(m) for m in store.all()],
        directory=str(store.directory),
        available=reason is None,
        reason=reason,
    )


def read(store: Store, *, backup_id: str) -> BackupRead:
    return to_read(store.load(backup_id))
