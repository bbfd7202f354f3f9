from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.concurrency import run_in_threadpool

from crm_api.auth.dependencies import Admin
from crm_api.snapshot import service
from crm_api.snapshot.service import SnapshotResult

router = APIRouter(prefix="/api", tags=["snapshots"])


@router.post("/admin/snapshots", response_model=SnapshotResult, status_code=status.HTTP_201_CREATED)
async def publish_snapshot(principal: Admin, request: Request) -> SnapshotResult:
    """Publish every record's current state, so a new or wiped consumer can rebuild from it.

    Runs in batches of its own transactions; for a very large CRM prefer `crm-api snapshot`."""
    return await run_in_threadpool(service.publish, request.app.state.db, actor=principal.actor)
