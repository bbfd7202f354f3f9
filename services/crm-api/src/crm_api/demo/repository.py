"""The synthetic CRM's SQL: bulk inserts, and who may own records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from crm_api.auth.models import User


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` into `table` in one executemany."""
    session.execute(insert(table), rows)


def active_user_ids(session: Session) -> list[str]:
    return list(session.scalars(select(User.id).where(User.is_active.is_(True))))
