"""The ledger's tables.

`ingest_record`   one row per source record seen (communication, contact, ..., and the funds and
                  users whose names other records show): its version, whether it is live, the
                  payload fields, and `is_dirty` while the store's payload lags its `payload_seq`.
`ingest_chunk`    one row per chunk: its deterministic point id, content hash and state —
                  `pending` (text kept until written), `indexed`, `deleting` or `failed`.
`ingest_ref`      which records a record refers to (its contact, attendees, organization,
                  opportunity, fund, author), so a rename or a resolver merge re-stamps them.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)

from crm_common.db import UtcDateTime
from crm_ingest.db import metadata

PENDING = "pending"
INDEXED = "indexed"
DELETING = "deleting"
FAILED = "failed"

record = Table(
    "ingest_record",
    metadata,
    Column("source_kind", String(40), primary_key=True),
    Column("source_id", String(64), primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("is_live", Boolean, nullable=False),
    Column("title", String(500), nullable=False),
    Column("type", String(64), nullable=True),
    Column("event_at", UtcDateTime(), nullable=False),
    Column("author_id", String(64), nullable=True),
    Column("label", String(500), nullable=True),
    Column("fund_id", String(64), nullable=True),
    Column("payload_seq", BigInteger, nullable=False),
    Column("is_dirty", Boolean, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index(
        "ix_ingest_record_dirty",
        "is_dirty",
        sqlite_where=text("is_dirty"),
        postgresql_where=text("is_dirty"),
    ),
)

chunk = Table(
    "ingest_chunk",
    metadata,
    Column("point_id", String(36), primary_key=True),
    Column("source_kind", String(40), nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("chunk_no", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("text", Text, nullable=True),
    Column("redactions", JSON, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", String(1000), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_ingest_chunk_source", "source_kind", "source_id", "chunk_no", unique=True),
    Index("ix_ingest_chunk_state", "state", "updated_at"),
)

ref = Table(
    "ingest_ref",
    metadata,
    Column("source_kind", String(40), primary_key=True),
    Column("source_id", String(64), primary_key=True),
    Column("ref_kind", String(40), primary_key=True),
    Column("ref_id", String(64), primary_key=True),
    Index("ix_ingest_ref_target", "ref_kind", "ref_id"),
)
