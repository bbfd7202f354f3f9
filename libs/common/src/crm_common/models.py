"""The tables every service's database has: the outbox and the consumers' ledgers.

They live on their own `MetaData`; each service's Alembic environment includes it, and the
`common` migration branch shipped here creates them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    text,
)

from crm_common.db import UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

common_metadata = MetaData(naming_convention=NAMING_CONVENTION)

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
_BigId = BigInteger().with_variant(Integer(), "sqlite")

outbox = Table(
    "outbox",
    common_metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("subject", String(255), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime(), nullable=True),
    Index(
        "ix_outbox_unsent",
        "id",
        sqlite_where=text("sent_at IS NULL"),
        postgresql_where=text("sent_at IS NULL"),
    ),
    Index("ix_outbox_sent_at", "sent_at"),
)

processed_event = Table(
    "processed_event",
    common_metadata,
    Column("consumer", String(128), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("processed_at", UtcDateTime(), nullable=False),
    Column("outcome", String(16), nullable=False),
)

aggregate_version = Table(
    "aggregate_version",
    common_metadata,
    Column("consumer", String(128), primary_key=True),
    Column("aggregate", String(128), primary_key=True),
    Column("aggregate_id", String(64), primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
