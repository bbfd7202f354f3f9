"""The imports' SQL: background import jobs (listed, claimed by a worker, updated), and the
organization a row names."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from crm_api.imports.models import ImportJob
from crm_api.kit.pagination import keyset, next_cursor
from crm_api.organizations.models import Organization

QUEUED, RUNNING = "queued", "running"
FINISHED = ("succeeded", "refused", "failed", "cancelled")


def add(session: Session, job: ImportJob) -> None:
    session.add(job)
    session.flush()


def get(session: Session, job_id: str) -> ImportJob | None:
    return session.get(ImportJob, job_id)


def listing(
    session: Session, *, created_by: str | None, cursor: str | None, limit: int
) -> tuple[list[ImportJob], str | None]:
    """Jobs newest first, a page at a time."""
    query = select(ImportJob)
    if created_by is not None:
        query = query.where(ImportJob.created_by == created_by)
    rows = list(
        session.scalars(
            keyset(
                query,
                sort=ImportJob.created_at,
                id_column=ImportJob.id,
                descending=True,
                cursor=cursor,
                limit=limit,
            )
        )
    )
    return next_cursor(rows, sort_attr="created_at", limit=limit)


def next_claimable(session: Session, *, stale_before: datetime) -> str | None:
    """The oldest job waiting, or running with a heartbeat older than `stale_before` (its
    process died)."""
    return session.scalar(
        select(ImportJob.id)
        .where(
            or_(
                ImportJob.status == QUEUED,
                (ImportJob.status == RUNNING) & (ImportJob.heartbeat_at < stale_before),
            )
        )
        .order_by(ImportJob.created_at, ImportJob.id)
        .limit(1)
    )


def claim(session: Session, job_id: str, *, by: str, now: datetime, stale_before: datetime) -> bool:
    """Take the job if nobody else did meanwhile (a compare-and-set on its status)."""
    result = session.execute(
        update(ImportJob)
        .where(
            ImportJob.id == job_id,
            or_(
                ImportJob.status == QUEUED,
                (ImportJob.status == RUNNING) & (ImportJob.heartbeat_at < stale_before),
            ),
        )
        .values(
            status=RUNNING,
            claimed_by=by,
            heartbeat_at=now,
            started_at=now,
            attempts=ImportJob.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def set_fields(session: Session, job_id: str, *, claimed_by: str, **values: Any) -> bool:
    """Write to a job this process holds; False when it is no longer ours."""
    result = session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id, ImportJob.claimed_by == claimed_by)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def organization_named(session: Session, name: str) -> str | None:
    """The oldest live organization with the name (any case)."""
    return session.scalar(
        select(Organization.id)
        .where(
            func.lower(Organization.name) == func.lower(name),
            Organization.deleted_at.is_(None),
        )
        .order_by(Organization.created_at, Organization.id)
        .limit(1)
    )
