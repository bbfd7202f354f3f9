"""contacts, emails, affiliations

Revision ID: crm_api_0003
Revises: crm_api_0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "crm_api_0003"
down_revision: str | Sequence[str] | None = "crm_api_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact",
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("contact_type", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("owner_id", sa.String(length=36), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("linkedin_url", sa.String(length=500), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("phones", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user_account.id"], name=op.f("fk_contact_owner_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index("ix_contact_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_contact_last_name", ["last_name", "first_name"], unique=False)
        batch_op.create_index("ix_contact_owner_id", ["owner_id"], unique=False)
        batch_op.create_index("ix_contact_type_status", ["contact_type", "status"], unique=False)
        batch_op.create_index("ix_contact_updated_at", ["updated_at"], unique=False)

    op.create_table(
        "affiliation",
        sa.Column("contact_id", sa.String(length=36), nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_affiliation_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_affiliation_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affiliation")),
    )
    with op.batch_alter_table("affiliation", schema=None) as batch_op:
        batch_op.create_index("ix_affiliation_contact_id", ["contact_id"], unique=False)
        batch_op.create_index("ix_affiliation_organization_id", ["organization_id"], unique=False)

    op.create_table(
        "contact_email",
        sa.Column("contact_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("label", sa.String(length=50), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("is_live", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_contact_email_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_email")),
    )
    with op.batch_alter_table("contact_email", schema=None) as batch_op:
        batch_op.create_index("ix_contact_email_contact_id", ["contact_id"], unique=False)
        batch_op.create_index(
            "uq_contact_email_live",
            ["email"],
            unique=True,
            sqlite_where=sa.text("is_live = 1"),
            postgresql_where=sa.text("is_live"),
        )


def downgrade() -> None:
    with op.batch_alter_table("contact_email", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_contact_email_live",
            sqlite_where=sa.text("is_live = 1"),
            postgresql_where=sa.text("is_live"),
        )
        batch_op.drop_index("ix_contact_email_contact_id")

    op.drop_table("contact_email")
    with op.batch_alter_table("affiliation", schema=None) as batch_op:
        batch_op.drop_index("ix_affiliation_organization_id")
        batch_op.drop_index("ix_affiliation_contact_id")

    op.drop_table("affiliation")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_updated_at")
        batch_op.drop_index("ix_contact_type_status")
        batch_op.drop_index("ix_contact_owner_id")
        batch_op.drop_index("ix_contact_last_name")
        batch_op.drop_index("ix_contact_created_at")

    op.drop_table("contact")
