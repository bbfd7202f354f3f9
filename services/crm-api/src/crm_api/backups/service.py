"""Backups of the whole CRM database: taken by hand or on a policy, verified, listed, previewed,
restored. Admin-only (the routes), and each one audited, in the interaction log, and an event.

Where: `CRM_API_BACKUP_DIR` (default DATA_DIR/backups): `<id>.sqlite3` or `<id>.dump`, and its
manifest `<id>.json` (kind manual/auto/pre_restore, sha256, size, created, who, schema revision,
row counts, the last interaction-log and audit-log entries it holds, its verification). The
policy (interval, retention) is `policy.json` there too, so a restore never rewinds it.

Verification: the file's size and sha256 against the manifest, then an integrity check (SQLite
`PRAGMA integrity_check`; PostgreSQL `pg_restore --list`). A backup is verified when taken, and
again before it is restored.

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

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.orm import Session

from crm_api.audit import service as audit
from crm_api.audit.models import AuditLog
from crm_api.backups import engines
from crm_api.backups.errors import BackupCorrupt, BackupNotFound, BackupUnavailable, RestoreRefused
from crm_api.backups.schemas import (
    BackupKind,
    BackupList,
    BackupPolicy,
    BackupPolicyRead,
    BackupRead,
    RestorePreview,
    RestoreResult,
    TableDiff,
    Verification,
)
from crm_api.database import utcnow
from crm_api.interactions import service as interactions
from crm_api.models import metadata
from crm_api.snapshot import service as snapshot
from crm_common import migrations
from crm_common.db import Database
from crm_common.events import Actor
from crm_common.ids import new_id_str
from crm_common.outbox import record_change

logger = logging.getLogger(__name__)

SOURCE = "/crm-api"
VERSIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"
_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_CHUNK = 1 << 20
_restoring = threading.Lock()


class Store:
    """The backup directory: files, manifests, the policy."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def ensure(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(self.directory, 0o700)

    def manifest_path(self, backup_id: str) -> Path:
        return self.directory / f"{backup_id}.json"

    def file_of(self, manifest: dict[str, Any]) -> Path:
        return self.directory / str(manifest["file"])

    def load(self, backup_id: str) -> dict[str, Any]:
        """Raises BackupNotFound for an id that is not one (ids are checked: no path tricks)."""
        if not _ID.match(backup_id):
            raise BackupNotFound()
        path = self.manifest_path(backup_id)
        if not path.exists():
            raise BackupNotFound()
        loaded: dict[str, Any] = json.loads(path.read_text())
        return loaded

    def save(self, manifest: dict[str, Any]) -> None:
        self.ensure()
        path = self.manifest_path(manifest["id"])
        partial = path.with_suffix(".json.partial")
        partial.write_text(json.dumps(manifest, indent=2, default=str))
        os.replace(partial, path)

    def all(self) -> list[dict[str, Any]]:
        if not self.directory.exists():
            return []
        found = []
        for path in self.directory.glob("*.json"):
            if not _ID.match(path.stem):
                continue
            try:
                found.append(json.loads(path.read_text()))
            except (OSError, ValueError):
                logger.warning("unreadable backup manifest %s", path.name)
        return sorted(found, key=lambda m: str(m["created_at"]), reverse=True)

    def remove(self, manifest: dict[str, Any]) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.file_of(manifest).unlink()
        with contextlib.suppress(FileNotFoundError):
            self.manifest_path(manifest["id"]).unlink()

    @property
    def policy_path(self) -> Path:
        return self.directory / "policy.json"

    @contextlib.contextmanager
    def lock(self, name: str) -> Iterator[bool]:
        """An exclusive file lock in the directory (shared by the replicas that share it)."""
        self.ensure()
        handle = (self.directory / f".{name}.lock").open("a+")
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            handle.close()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _read(manifest: dict[str, Any]) -> BackupRead:
    return BackupRead.model_validate(manifest)


def _log(
    db: Database, *, actor: Actor, action: str, manifest: dict[str, Any], before: Any = None
) -> None:
    """Audit, interaction log, and the `crm.backup.<action>` event, in one transaction."""
    with db.transaction() as session:
        _log_in(session, actor=actor, action=action, manifest=manifest, before=before)


def _log_in(
    session: Session, *, actor: Actor, action: str, manifest: dict[str, Any], before: Any = None
) -> None:
    state = _read(manifest).model_dump(mode="json")
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
        "sha256": _sha256(final),
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
        _log_in(session, actor=actor, action="created", manifest=manifest)
    else:
        _log(db, actor=actor, action="created", manifest=manifest)
    return _read(manifest)


def _check(db: Database, store: Store, manifest: dict[str, Any]) -> Verification:
    path = store.file_of(manifest)
    now = utcnow()
    if not path.exists():
        return Verification(
            ok=False, checked_at=now, checksum_ok=False, integrity_ok=False, detail="file missing"
        )
    checksum_ok = path.stat().st_size == manifest["size"] and _sha256(path) == manifest["sha256"]
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
    before = _read(manifest).model_dump(mode="json")
    manifest["verification"] = _check(db, store, manifest).model_dump(mode="json")
    manifest["version"] = int(manifest["version"]) + 1
    store.save(manifest)
    _log(db, actor=actor, action="updated", manifest=manifest, before=before)
    return _read(manifest)


def listing(db: Database, store: Store) -> BackupList:
    reason = availability(db)
    return BackupList(
        items=[_read(m) for m in store.all()],
        directory=str(store.directory),
        available=reason is None,
        reason=reason,
    )


def read(store: Store, *, backup_id: str) -> BackupRead:
    return _read(store.load(backup_id))


# -- preview and restore ------------------------------------------------------------------------


def _aggregate_tables() -> dict[str, str]:
    """Aggregate table -> aggregate name (the records a snapshot publishes)."""
    return {source.model.__tablename__: source.aggregate for source in snapshot.SOURCES}


def _live_counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in metadata.tables.items()
        }


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
        live = _live_counts(db)
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
        backup=_read(manifest),
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
    versions: dict[str, dict[str, int]] = {}
    tails: dict[str, list[dict[str, Any]]] = {}
    log = metadata.tables["interaction_log"]
    targets = metadata.tables["interaction_target"]
    audit_log = metadata.tables["audit_log"]
    with db.session() as session:
        for name in _aggregate_tables():
            table = metadata.tables[name]
            versions[name] = {
                row.id: int(row.version)
                for row in session.execute(select(table.c.id, table.c.version))
            }
        seq = marks.get("interaction_log", 0)
        tails["interaction_log"] = [
            dict(r)
            for r in session.execute(
                select(log).where(log.c.seq > seq).order_by(log.c.seq)
            ).mappings()
        ]
        tails["interaction_target"] = [
            dict(r) for r in session.execute(select(targets).where(targets.c.seq > seq)).mappings()
        ]
        tails["audit_log"] = [
            dict(r)
            for r in session.execute(
                select(audit_log)
                .where(audit_log.c.id > marks.get("audit_log", 0))
                .order_by(audit_log.c.id)
            ).mappings()
        ]
    return versions, tails


def _put_back(session: Session, tails: dict[str, list[dict[str, Any]]]) -> int:
    """Append the log entries written since the backup. The backup's logs end at its marks and
    the live ones only ever grew, so the entries chain on from its last one unchanged."""
    for name in ("interaction_log", "interaction_target", "audit_log"):
        if tails[name]:
            session.execute(metadata.tables[name].insert(), tails[name])
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('audit_log', 'id'), "
                "(SELECT coalesce(max(id), 1) FROM audit_log))"
            )
        )
    return len(tails["interaction_log"]) + len(tails["audit_log"])


def _purged_versions(session: Session, aggregate: str, ids: set[str]) -> dict[str, int]:
    """The version each record had when it was purged (from the audit log)."""
    found: dict[str, int] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        for entity_id, before in session.execute(
            select(AuditLog.entity_id, AuditLog.before).where(
                AuditLog.entity_type == aggregate,
                AuditLog.action == "purge",
                AuditLog.entity_id.in_(chunk),
            )
        ):
            if isinstance(before, dict) and isinstance(before.get("version"), int):
                found[entity_id] = max(found.get(entity_id, 0), before["version"] + 1)
    return found


def _move_versions_on(
    session: Session, prior: dict[str, dict[str, int]], actor: Actor, backup_id: str
) -> None:
    """Every restored record gets a version above any published before; records the restore
    took away are published as purged."""
    for name, aggregate in _aggregate_tables().items():
        table = metadata.tables[name]
        before = prior.get(name, {})
        restored = {
            row.id: int(row.version) for row in session.execute(select(table.c.id, table.c.version))
        }
        purged = _purged_versions(session, aggregate, set(restored) - set(before))
        changes = [
            {
                "b_id": record_id,
                "b_version": max(version, before.get(record_id, purged.get(record_id, 0))) + 1,
            }
            for record_id, version in restored.items()
        ]
        if changes:
            statement = (
                update(table)
                .where(table.c.id == bindparam("b_id"))
                .values(version=bindparam("b_version"))
            )
            session.connection().execute(statement, changes)
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
    checked = _check(db, store, manifest)
    if not checked.ok:
        manifest["verification"] = checked.model_dump(mode="json")
        manifest["version"] = int(manifest["version"]) + 1
        store.save(manifest)
        raise BackupCorrupt(f"the backup fails verification: {checked.detail}")
    started = time.perf_counter()
    pre = create(
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
    before = _read(manifest).model_dump(mode="json")
    manifest["restored_at"] = [*manifest.get("restored_at", []), restored_at.isoformat()]
    manifest["version"] = int(manifest["version"]) + 1
    manifest["verification"] = checked.model_dump(mode="json")
    with db.transaction() as session:
        kept = _put_back(session, tails)
        _move_versions_on(session, prior, actor, manifest["id"])
        _log_in(session, actor=actor, action="restored", manifest=manifest, before=before)
    store.save(manifest)
    logger.info("restored backup %s (%d log entries kept)", manifest["id"], kept)
    return RestoreResult(
        backup=_read(manifest),
        pre_restore_backup=pre,
        restored_at=restored_at,
        duration_ms=int((time.perf_counter() - started) * 1000),
        migrated=migrated,
        kept_log_entries=kept,
        snapshot_id=None,
        snapshot_ms=None,
    )


# -- the policy ---------------------------------------------------------------------------------


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


def policy(store: Store) -> BackupPolicyRead:
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
    return policy(store)


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
        _log(db, actor=actor, action="deleted", manifest=manifest)
        removed.append(manifest["id"])
    return removed


def run_due(db: Database, store: Store, *, actor: Actor, now: datetime) -> BackupRead | None:
    """Take the automatic backup if the policy says it is due (one replica at a time)."""
    if availability(db) is not None:
        return None
    with store.lock("auto") as held:
        if not held:
            return None
        due = _next_due(store, _policy_raw(store))
        if due is None or due > now:
            return None
        made = create(db, store, kind="auto", actor=actor, note="on the backup policy", now=now)
        prune(db, store, actor=actor, now=now)
        return made
