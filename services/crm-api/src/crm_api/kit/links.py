"""Checking that a record a write points to exists and is live."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_api.kit import repository
from crm_api.kit.errors import InvalidValue


def require_live(session: Session, model: type[Any], record_id: str | None, *, field: str) -> Any:
    """The live record `record_id` of `model`, None for None.

    Raises:
        InvalidValue: naming `field`, when there is no live record with that id.
    """
    if record_id is None:
        return None
    row = repository.get(session, model, record_id)
    if row is None or getattr(row, "deleted_at", None) is not None:
        raise InvalidValue(f"{field}: no such {model.__tablename__} {record_id}", field=field)
    return row
