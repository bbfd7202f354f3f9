from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session


def batch(session: Session, model: type[Any], *, after: str, limit: int) -> list[Any]:
    """The next `limit` records of `model` by id, after `after` (soft-deleted ones too)."""
    return list(
        session.scalars(select(model).where(model.id > after).order_by(model.id).limit(limit))
    )


def live(session: Session, model: type[Any], record_id: str) -> Any | None:
    """The record of `model` with `record_id`, unless it is absent or soft-deleted."""
    row = session.get(model, record_id)
    if row is None or getattr(row, "deleted_at", None) is not None:
        return None
    return row
