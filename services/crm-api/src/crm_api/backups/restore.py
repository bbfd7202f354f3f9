"""Previewing and restoring a backup onto the live database.

A restore:
1. verifies the backup and that this code knows its schema (an older one is migrated after);
2. takes a `pre_restore` backup of the database as it is;
3. (the route holds new requests off: crm_api.backups.maintenance) writes the backup over the
   live database (SQLite's backup API in reverse; pg_restore);
4. keeps what must outlive any restore: the interaction log and the audit log entries written
   since the backup are put back, so the hash chain and the history run on unbroken;
5. moves every record's version past the versions published before the restore, and publishes
   `crm.<aggregate>.purged` for records the restore took away, so consumers (which drop events not
   newer than what they hold) accept the restored state;
6. publishes a snapshot, so every consumer converges on the restored state (the route does it
   after it lets requests in again: a change made meanwhile goes out at a newer version).
Sessions signed in after the backup end with it (sign in again).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session

from crm_api.backups import engines, repository, service
from crm_api.backups.errors import BackupCorrupt, RestoreRefused
from crm_api.backups.schemas import RestorePreview, RestoreResult, TableDiff
from crm_api.backups.store import Store
from crm_api.database import utcnow
from crm_api.models import metadata
from crm_api.snapshot import service as snapshot
from crm_common import migrations
from crm_common.db import Database
from crm_common.events import Actor
from crm_common.outbox import record_change

logger = logging.getLogger(__name__)

SOURCE = "/crm-api"
VERSIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"
_restoring = threading.Lock()


def _aggregate_tables() -> dict[str, str]:
    """Aggregate table -> aggregate name (the records a snapshot publishes)."""
    return {source.model.__tablename__: source.aggregate for source in snapshot.SOURCES}


def _heads() -> set[str]:
    script = ScriptDirectory.from_config(migrations.alembic_config("sqlite://", versions=VERSIONS))
    return set(script.get_heads())


def _known(revisions: list[str]) -> bool:
    script = ScriptDirectory.from_config(migrations.alembic_config("sqlite://", versions=VERSIONS))
    try:
        return all(script.get_revision(rev) is not None for rev in revisions)
    except Exception:  # alembic raises several kinds for an id it does not know
        return False


def preview(db: Database, store: Store, *, backup_id: str) -> RestorePreview:
    """What restoring the backup would change, table by table."""
    manifest = store.load(backup_id)
    if manifest["backend"] == "sqlite" and db.is_sqlite:
        compared = engines.sqlite_compare(
            engines.sqlite_path(db.url), store.file_of(manifest), set(_aggregate_tables())
        )
        tables = [TableDiff.model_validate(entry) for entry in compared]
        exact = True
    else:
        with db.session() as session:
            live = repository.count_rows(session)
        held = {str(k): int(v) for k, v in manifest["counts"].items()}
        tables = [
            TableDiff(
                table=name,
                live=live.get(name, 0),
                backup=held.get(name, 0),
                removed=None,
                returned=None,
                changed=None,
            )
            for name in sorted(set(live) | set(held))
        ]
        exact = False
    return RestorePreview(
        backup=service.to_read(manifest),
        exact=exact,
        schema_change=set(manifest["schema_revision"]) != _heads(),
        tables=[
            t for t in tables if t.table not in {"outbox", "processed_event", "aggregate_version"}
        ],
        kept=["interaction_log", "interaction_target", "audit_log"],
    )


def _capture(
    db: Database, marks: dict[str, int]
) -> tuple[dict[str, dict[str, int]], dict[str, list[dict[str, Any]]]]:
    """Before a restore: every aggregate's version now, and the log entries since the backup."""
    with db.session() as session:
        versions = {name: repository.versions(session, name) for name in _aggregate_tables()}
        return versions, repository.log_tails(session, marks)


def _put_back(session: Session, tails: dict[str, list[dict[str, Any]]]) -> int:
    """Append the log entries written since the backup. The backup's logs end at its marks and
    the live ones only ever grew, so the entries chain on from its last one unchanged."""
    repository.append_logs(session, tails)
    return len(tails["interaction_log"]) + len(tails["audit_log"])


def _move_versions_on(
    session: Session, prior: dict[str, dict[str, int]], actor: Actor, backup_id: str
) -> None:
    """Every restored record gets a version above any published before; records the restore
    took away are published as purged."""
    for name, aggregate in _aggregate_tables().items():
        before = prior.get(name, {})
        restored = repository.versions(session, name)
        purged = repository.purged_versions(session, aggregate, set(restored) - set(before))
        changes = [
            {
                "b_id": record_id,
                "b_version": max(version, before.get(record_id, purged.get(record_id, 0))) + 1,
            }
            for record_id, version in restored.items()
        ]
        if changes:
            repository.set_versions(session, name, changes)
        for record_id in sorted(set(before) - set(restored)):
            record_change(
                session,
                source=SOURCE,
                event_type=f"crm.{aggregate}.purged",
                aggregate_id=record_id,
                version=before[record_id] + 1,
                data={"id": record_id, "purged": True, "restored_from": backup_id},
                actor=actor,
            )


def restore(
    db: Database,
    store: Store,
    *,
    backup_id: str,
    confirm: str,
    actor: Actor,
    publish_snapshot: bool = True,
) -> RestoreResult:
    """Restore the backup onto the live database (see the module docstring for the steps).

    The caller holds new requests off (crm_api.backups.maintenance) while it runs.

    Raises:
        RestoreRefused: `confirm` is not the backup's id, its schema is unknown to this code,
            its backend is not this database's, or another restore is running.
        BackupCorrupt: the backup fails verification.
    """
    manifest = store.load(backup_id)
    if confirm != backup_id:
        raise RestoreRefused("confirm with the backup's id")
    backend = "sqlite" if db.is_sqlite else "postgresql"
    if manifest["backend"] != backend:
        raise RestoreRefused(f"a {manifest['backend']} backup cannot restore a {backend} database")
    if not _known(list(manifest["schema_revision"])):
        raise RestoreRefused("the backup's schema is newer than this code knows; upgrade first")
    if not _restoring.acquire(blocking=False):
        raise RestoreRefused("another restore is running")
    try:
        with store.lock("restore") as held:
            if not held:
                raise RestoreRefused("another restore is running")
            result = _restore(db, store, manifest, actor)
    finally:
        _restoring.release()
    return publish(db, result, actor=actor) if publish_snapshot else result


def publish(db: Database, result: RestoreResult, *, actor: Actor) -> RestoreResult:
    """The snapshot after a restore, so every consumer converges on the restored state. It needs
    no pause of the service: a change made meanwhile goes out at a newer version anyway."""
    started = time.perf_counter()
    published = snapshot.publish(db, actor=actor)
    return result.model_copy(
        update={
            "snapshot_id": published.snapshot_id,
            "snapshot_ms": int((time.perf_counter() - started) * 1000),
        }
    )


def _restore(db: Database, store: Store, manifest: dict[str, Any], actor: Actor) -> RestoreResult:
    checked = service.check(db, store, manifest)
    if not checked.ok:
        manifest["verification"] = checked.model_dump(mode="json")
        manifest["version"] = int(manifest["version"]) + 1
        store.save(manifest)
        raise BackupCorrupt(f"the backup fails verification: {checked.detail}")
    started = time.perf_counter()
    pre = service.create(
        db, store, kind="pre_restore", actor=actor, note=f"before restoring {manifest['id']}"
    )
    prior, tails = _capture(db, {k: int(v) for k, v in manifest["log_marks"].items()})
    db.dispose()
    path = store.file_of(manifest)
    if db.is_sqlite:
        engines.sqlite_restore(path, engines.sqlite_path(db.url))
    else:
        engines.pg_restore(path, db.url)
    db.dispose()
    migrated = set(manifest["schema_revision"]) != _heads()
    if migrated:
        migrations.upgrade(db.url, versions=VERSIONS, metadata=[metadata])
    restored_at = utcnow()
    before = service.to_read(manifest).model_dump(mode="json")
    manifest["restored_at"] = [*manifest.get("restored_at", []), restored_at.isoformat()]
    manifest["version"] = int(manifest["version"]) + 1
    manifest["verification"] = checked.model_dump(mode="json")
    with db.transaction() as session:
        kept = _put_back(session, tails)
        _move_versions_on(session, prior, actor, manifest["id"])
        service.log_in(session, actor=actor, action="restored", manifest=manifest, before=before)
    store.save(manifest)
    logger.info("restored backup %s (%d log entries kept)", manifest["id"], kept)
    return RestoreResult(
        backup=service.to_read(manifest),
        pre_restore_backup=pre,
        restored_at=restored_at,
        duration_ms=int((time.perf_counter() - started) * 1000),
        migrated=migrated,
        kept_log_entries=kept,
        snapshot_id=None,
        snapshot_ms=None,
    )
