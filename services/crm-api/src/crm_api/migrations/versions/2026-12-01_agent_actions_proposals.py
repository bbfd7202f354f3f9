"""Agent actions: API key settings (untrusted writes, rate limit), tainted agent sessions, and
proposals (held agent actions) with the entities they name.

Revision ID: crm_api_agent_0001
Revises: crm_api_grid_0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "crm_api_agent_0001"
down_revision: str | Sequence[str] | None = "crm_api_grid_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "allow_untrusted_writes", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(sa.Column("rate_limit_per_minute", sa.Integer(), nullable=True))

    op.create_table(
        "agent_session",
        sa.Column("api_key_id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=100), nullable=False),
        sa.Column("tainted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_key.id"], name=op.f("fk_agent_session_api_key_id_api_key")
        ),
        sa.PrimaryKeyConstraint("api_key_id", "session_id", name=op.f("pk_agent_session")),
    )

    op.create_table(
        "proposal",
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=True),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("untrusted", sa.Boolean(), nullable=False),
        sa.Column("why", sa.String(length=32), nullable=False),
        sa.Column("proposed_by_kind", sa.String(length=16), nullable=False),
        sa.Column("proposed_by_id", sa.String(length=64), nullable=False),
        sa.Column("proposed_by_name", sa.String(length=200), nullable=True),
        sa.Column("api_key_id", sa.String(length=36), nullable=True),
        sa.Column("session_id", sa.String(length=100), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=2000), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("preview", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_key.id"], name=op.f("fk_proposal_api_key_id_api_key")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal")),
    )
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.create_index("ix_proposal_status", ["status", "created_at"], unique=False)
        batch_op.create_index("ix_proposal_api_key", ["api_key_id", "created_at"], unique=False)
        batch_op.create_index(
            "ix_proposal_proposed_by", ["proposed_by_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_proposal_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_proposal_updated_at", ["updated_at"], unique=False)

    op.create_table(
        "proposal_entity",
        sa.Column("proposal_id", sa.String(length=36), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name=op.f("fk_proposal_entity_proposal_id_proposal")
        ),
        sa.PrimaryKeyConstraint(
            "proposal_id", "entity_type", "entity_id", name=op.f("pk_proposal_entity")
        ),
    )
    with op.batch_alter_table("proposal_entity", schema=None) as batch_op:
        batch_op.create_index(
            "ix_proposal_entity_entity", ["entity_type", "entity_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("proposal_entity")
    op.drop_table("proposal")
    op.drop_table("agent_session")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_column("rate_limit_per_minute")
        batch_op.drop_column("allow_untrusted_writes")
