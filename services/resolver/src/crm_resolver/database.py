"""resolver's declarative base, and the write lock every change takes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData, func, select
from sqlalchemy.orm import DeclarativeBase, Session

from crm_common.db import UtcDateTime
from crm_common.models import NAMING_CONVENTION

# Resolution reads many records and then writes links: two writers interleaving would each miss
# the other's new records (two entities for one person). So every write transaction holds one
# lock for its whole length: SQLite's write lock (transactions begin IMMEDIATE) or, on
# PostgreSQL, this transaction-scoped advisory lock.
_WRITE_LOCK_KEY = 0x0C_0B_07_10


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime()}


def utcnow() -> datetime:
    return datetime.now(UTC)


def lock_for_write(session: Session) -> None:
    """Serialize this transaction with every other resolver write (PostgreSQL; SQLite already
    is)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_WRITE_LOCK_KEY)))
