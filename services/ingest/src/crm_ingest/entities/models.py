"""`ingest_entity` holds each canonical entity's latest version and status (events may arrive in
any order; an older state is dropped); `ingest_link` maps a source record, as resolver names it
(contact, organization, lp_profile, grid_row, email_participant), to its entity, with the
link's confidence and when it was decided (the latest decision wins)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Index, String, Table

from crm_common.db import UtcDateTime
from crm_ingest.db import metadata

entity = Table(
    "ingest_entity",
    metadata,
    Column("entity_id", String(64), primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("merged_into", String(64), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
)

link = Table(
    "ingest_link",
    metadata,
    Column("link_kind", String(40), primary_key=True),
    Column("link_id", String(64), primary_key=True),
    Column("entity_id", String(64), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("decided_at", UtcDateTime(), nullable=False),
    Index("ix_ingest_link_entity", "entity_id"),
)
