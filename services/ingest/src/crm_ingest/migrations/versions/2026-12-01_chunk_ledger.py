"""The chunk ledger (records, chunks, references) and the canonical-entity read model.

Revision ID: ingest_0001
Revises:
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ingest_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("ingest",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ingest_record",
        sa.Column("source_kind", sa.String(40), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("is_live", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("type", sa.String(64), nullable=True),
        sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.String(64), nullable=True),
        sa.Column("label", sa.String(500), nullable=True),
        sa.Column("fund_id", sa.String(64), nullable=True),
        sa.Column("payload_seq", sa.BigInteger(), nullable=False),
        sa.Column("is_dirty", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source_kind", "source_id", name="pk_ingest_record"),
    )
    op.create_index(
        "ix_ingest_record_dirty",
        "ingest_record",
        ["is_dirty"],
        sqlite_where=sa.text("is_dirty"),
        postgresql_where=sa.text("is_dirty"),
    )
    op.create_table(
        "ingest_chunk",
        sa.Column("point_id", sa.String(36), nullable=False),
        sa.Column("source_kind", sa.String(40), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("chunk_no", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("redactions", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(1000), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("point_id", name="pk_ingest_chunk"),
    )
    op.create_index(
        "ix_ingest_chunk_source",
        "ingest_chunk",
        ["source_kind", "source_id", "chunk_no"],
        unique=True,
    )
    op.create_index("ix_ingest_chunk_state", "ingest_chunk", ["state", "updated_at"])
    op.create_table(
        "ingest_ref",
        sa.Column("source_kind", sa.String(40), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("ref_kind", sa.String(40), nullable=False),
        sa.Column("ref_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint(
            "source_kind", "source_id", "ref_kind", "ref_id", name="pk_ingest_ref"
        ),
    )
    op.create_index("ix_ingest_ref_target", "ingest_ref", ["ref_kind", "ref_id"])
    op.create_table(
        "ingest_entity",
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("merged_into", sa.String(64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", name="pk_ingest_entity"),
    )
    op.create_table(
        "ingest_link",
        sa.Column("link_kind", sa.String(40), nullable=False),
        sa.Column("link_id", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("link_kind", "link_id", name="pk_ingest_link"),
    )
    op.create_index("ix_ingest_link_entity", "ingest_link", ["entity_id"])


def downgrade() -> None:
    op.drop_index("ix_ingest_link_entity", table_name="ingest_link")
    op.drop_table("ingest_link")
    op.drop_table("ingest_entity")
    op.drop_index("ix_ingest_ref_target", table_name="ingest_ref")
    op.drop_table("ingest_ref")
    op.drop_index("ix_ingest_chunk_state", table_name="ingest_chunk")
    op.drop_index("ix_ingest_chunk_source", table_name="ingest_chunk")
    op.drop_table("ingest_chunk")
    op.drop_index("ix_ingest_record_dirty", table_name="ingest_record")
    op.drop_table("ingest_record")
