"""Backups of the whole CRM database (admins only; every action audited and logged).

This module does not use postponed annotations: FastAPI reads the endpoints' annotations.
"""

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from crm_api.auth.dependencies import Admin
from crm_api.backups import policy, restore, service
from crm_api.backups.errors import RestoreRefused, UnderMaintenance
from crm_api.backups.maintenance import Gate
from crm_api.backups.schemas import (
    BackupCreate,
    BackupList,
    BackupPolicy,
    BackupPolicyRead,
    BackupRead,
    RestorePreview,
    RestoreRequest,
    RestoreResult,
)
from crm_api.backups.store import Store
from crm_api.kit.idempotency import IdempotencyKey, run_once
from crm_common.db import Database
from crm_common.errors import PROBLEM_JSON

router = APIRouter(prefix="/api/admin", tags=["backups"])

_UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {
        "description": "A restore is running (Retry-After)",
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
}


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _store(request: Request) -> Store:
    store: Store = request.app.state.backups
    return store


@router.get("/backups", response_model=BackupList, summary="The backups, newest first")
def list_backups(_: Admin, request: Request) -> BackupList:
    return service.listing(_db(request), _store(request))


@router.post(
    "/backups",
    response_model=BackupRead,
    status_code=status.HTTP_201_CREATED,
    summary="Back up the whole database now",
)
def create_backup(
    principal: Admin, request: Request, body: BackupCreate, key: IdempotencyKey = None
) -> JSONResponse:
    """Consistent while the service writes (SQLite online backup; pg_dump from one snapshot),
    verified by checksum and integrity check, with its manifest."""
    db = _db(request)
    with db.transaction() as session:
        return run_once(
            session,
            principal=principal,
            key=key,
            scope="POST /api/admin/backups",
            request=body.model_dump(mode="json"),
            status=201,
            run=lambda: service.create(
                db,
                _store(request),
                kind="manual",
                actor=principal.actor,
                note=body.note,
                session=session,
            ).model_dump(mode="json"),
        )


@router.get("/backups/policy", response_model=BackupPolicyRead, summary="The backup policy")
def read_policy(_: Admin, request: Request) -> BackupPolicyRead:
    return policy.read_policy(_store(request))


@router.put("/backups/policy", response_model=BackupPolicyRead, summary="Set the backup policy")
def set_policy(principal: Admin, request: Request, body: BackupPolicy) -> BackupPolicyRead:
    """How often an automatic backup is taken, and how many (and how old) are kept."""
    return policy.set_policy(_db(request), _store(request), data=body, actor=principal.actor)


@router.get("/backups/{backup_id}", response_model=BackupRead, summary="Read a backup's manifest")
def read_backup(_: Admin, request: Request, backup_id: str) -> BackupRead:
    return service.read(_store(request), backup_id=backup_id)


@router.post("/backups/{backup_id}/verify", response_model=BackupRead, summary="Verify a backup")
def verify_backup(principal: Admin, request: Request, backup_id: str) -> BackupRead:
    """Its checksum against the manifest, then an integrity check; the result is recorded."""
    return service.verify(_db(request), _store(request), backup_id=backup_id, actor=principal.actor)


@router.get(
    "/backups/{backup_id}/preview",
    response_model=RestorePreview,
    summary="What restoring a backup would change",
)
def preview_restore(_: Admin, request: Request, backup_id: str) -> RestorePreview:
    return restore.preview(_db(request), _store(request), backup_id=backup_id)


@router.post(
    "/backups/{backup_id}/restore",
    response_model=RestoreResult,
    responses=_UNAVAILABLE,
    summary="Restore the whole database from a backup",
)
async def restore_backup(
    principal: Admin, request: Request, backup_id: str, body: RestoreRequest
) -> RestoreResult:
    """After an automatic pre-restore backup; the service answers 503 to other requests while it
    runs; a snapshot follows, so every consumer converges on the restored state. `confirm` must
    be the backup's id."""
    store = _store(request)
    await run_in_threadpool(store.load, backup_id)
    if body.confirm != backup_id:
        raise RestoreRefused("confirm with the backup's id")
    gate: Gate = request.app.state.maintenance
    if not await gate.close():
        raise UnderMaintenance("requests in flight did not finish in time; try again")
    try:
        result = await run_in_threadpool(
            restore.restore,
            _db(request),
            store,
            backup_id=backup_id,
            confirm=body.confirm,
            actor=principal.actor,
            publish_snapshot=False,
        )
    finally:
        gate.open()
    return await run_in_threadpool(restore.publish, _db(request), result, actor=principal.actor)
