"""The interaction log keeps the agent's MCP session of each entry, and can be read by action
and by session.

Revision ID: crm_api_0009
Revises: crm_api_agent_0001
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "crm_api_0009"
down_revision: str | Sequence[str] | None = "crm_api_agent_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: the log's triggers refuse UPDATE and DELETE, so the
    # table must not be copied and rebuilt (SQLite's batch mode would).
    op.add_column("interaction_log", sa.Column("session_id", sa.String(length=100), nullable=True))
    op.create_index("ix_interaction_log_action", "interaction_log", ["action", "seq"])
    op.create_index("ix_interaction_log_session", "interaction_log", ["session_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_interaction_log_session", table_name="interaction_log")
    op.drop_index("ix_interaction_log_action", table_name="interaction_log")
    with op.batch_alter_table("interaction_log", schema=None) as batch_op:
        batch_op.drop_column("session_id")
