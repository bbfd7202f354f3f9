"""The SQL of edit batches (the cells themselves are opportunities, written by their service)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_api.grid.models import (
    GridBatch,
)


def get_batch(session: Session, batch_id: str) -> GridBatch | None:
    return session.get(GridBatch, batch_id)


def last_batch(session: Session, principal_id: str) -> GridBatch | None:
    """The principal's newest batch that is neither undone nor itself an undo."""
    return session.scalars(
        select(GridBatch)
        .where(
            GridBatch.principal_id == principal_id,
            GridBatch.undone_at.is_(None),
            GridBatch.undo_of.is_(None),
        )
        .order_by(GridBatch.created_at.desc(), GridBatch.id.desc())
        .limit(1)
    ).first()


def batches(session: Session, principal_id: str, limit: int) -> list[GridBatch]:
    return list(
        session.scalars(
            select(GridBatch)
            .where(GridBatch.principal_id == principal_id)
            .order_by(GridBatch.created_at.desc(), GridBatch.id.desc())
            .limit(limit)
        )
    )
