"""Canonical ids from the resolver, beside the records: the entities and the records they list.

Revision ID: crm_api_canonical_0001
Revises: crm_api_0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "crm_api_canonical_0001"
down_revision: str | Sequence[str] | None = "crm_api_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "canonical_entity",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("merged_into", sa.String(length=36), nullable=True),
        sa.Column("display_name", sa.String(length=400), nullable=False),
        sa.Column("is_lp", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canonical_entity")),
    )
    op.create_table(
        "canonical_link",
        sa.Column("source_kind", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=320), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("match_kind", sa.String(length=32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "source_kind", "source_id", "entity_id", name=op.f("pk_canonical_link")
        ),
    )
    with op.batch_alter_table("canonical_link", schema=None) as batch_op:
        batch_op.create_index("ix_canonical_link_entity_id", ["entity_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("canonical_link", schema=None) as batch_op:
        batch_op.drop_index("ix_canonical_link_entity_id")
    op.drop_table("canonical_link")
    op.drop_table("canonical_entity")
