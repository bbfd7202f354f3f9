"""Tags (a managed palette, linked to organizations, contacts and opportunities through link
tables), custom field definitions and the records' `custom_fields` values, feature requests.

Existing organizations, contacts and opportunities get `custom_fields` = {} (the server default).

Revision ID: crm_api_0006
Revises: crm_api_0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "crm_api_0006"
down_revision: str | Sequence[str] | None = "crm_api_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "custom_field",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("is_required", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "entity IN ('contact', 'organization', 'opportunity')",
            name=op.f("ck_custom_field_entity_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_field")),
    )
    with op.batch_alter_table("custom_field", schema=None) as batch_op:
        batch_op.create_index(
            "ix_custom_field_entity_position", ["entity", "position"], unique=False
        )
        batch_op.create_index("uq_custom_field_entity_key", ["entity", "key"], unique=True)

    op.create_table(
        "tag",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("color", sa.String(length=7), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag")),
    )
    with op.batch_alter_table("tag", schema=None) as batch_op:
        batch_op.create_index("ix_tag_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_tag_name", ["name"], unique=False)
        batch_op.create_index("ix_tag_updated_at", ["updated_at"], unique=False)
        batch_op.create_index(
            "uq_tag_name_key_live",
            ["name_key"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )

    op.create_table(
        "feature_request",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("requested_by", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.CheckConstraint(
            "priority IN ('low', 'medium', 'high')", name=op.f("ck_feature_request_priority_known")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'planned', 'in_progress', 'done', 'declined')",
            name=op.f("ck_feature_request_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["user_account.id"],
            name=op.f("fk_feature_request_requested_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feature_request")),
    )
    with op.batch_alter_table("feature_request", schema=None) as batch_op:
        batch_op.create_index("ix_feature_request_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_feature_request_requested_by", ["requested_by"], unique=False)
        batch_op.create_index("ix_feature_request_status", ["status"], unique=False)
        batch_op.create_index("ix_feature_request_updated_at", ["updated_at"], unique=False)

    op.create_table(
        "organization_tag",
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("tag_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_organization_tag_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tag.id"], name=op.f("fk_organization_tag_tag_id_tag")
        ),
        sa.PrimaryKeyConstraint("organization_id", "tag_id", name=op.f("pk_organization_tag")),
    )
    with op.batch_alter_table("organization_tag", schema=None) as batch_op:
        batch_op.create_index("ix_organization_tag_tag_id", ["tag_id"], unique=False)

    op.create_table(
        "contact_tag",
        sa.Column("contact_id", sa.String(length=36), nullable=False),
        sa.Column("tag_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_contact_tag_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["tag_id"], ["tag.id"], name=op.f("fk_contact_tag_tag_id_tag")),
        sa.PrimaryKeyConstraint("contact_id", "tag_id", name=op.f("pk_contact_tag")),
    )
    with op.batch_alter_table("contact_tag", schema=None) as batch_op:
        batch_op.create_index("ix_contact_tag_tag_id", ["tag_id"], unique=False)

    op.create_table(
        "opportunity_tag",
        sa.Column("opportunity_id", sa.String(length=36), nullable=False),
        sa.Column("tag_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunity.id"],
            name=op.f("fk_opportunity_tag_opportunity_id_opportunity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["tag_id"], ["tag.id"], name=op.f("fk_opportunity_tag_tag_id_tag")),
        sa.PrimaryKeyConstraint("opportunity_id", "tag_id", name=op.f("pk_opportunity_tag")),
    )
    with op.batch_alter_table("opportunity_tag", schema=None) as batch_op:
        batch_op.create_index("ix_opportunity_tag_tag_id", ["tag_id"], unique=False)

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("custom_fields", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )

    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("custom_fields", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )

    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("custom_fields", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_column("custom_fields")

    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.drop_column("custom_fields")

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("custom_fields")

    with op.batch_alter_table("opportunity_tag", schema=None) as batch_op:
        batch_op.drop_index("ix_opportunity_tag_tag_id")

    op.drop_table("opportunity_tag")
    with op.batch_alter_table("contact_tag", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_tag_tag_id")

    op.drop_table("contact_tag")
    with op.batch_alter_table("organization_tag", schema=None) as batch_op:
        batch_op.drop_index("ix_organization_tag_tag_id")

    op.drop_table("organization_tag")
    with op.batch_alter_table("feature_request", schema=None) as batch_op:
        batch_op.drop_index("ix_feature_request_updated_at")
        batch_op.drop_index("ix_feature_request_status")
        batch_op.drop_index("ix_feature_request_requested_by")
        batch_op.drop_index("ix_feature_request_created_at")

    op.drop_table("feature_request")
    with op.batch_alter_table("tag", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_tag_name_key_live",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index("ix_tag_updated_at")
        batch_op.drop_index("ix_tag_name")
        batch_op.drop_index("ix_tag_created_at")

    op.drop_table("tag")
    with op.batch_alter_table("custom_field", schema=None) as batch_op:
        batch_op.drop_index("uq_custom_field_entity_key")
        batch_op.drop_index("ix_custom_field_entity_position")

    op.drop_table("custom_field")
