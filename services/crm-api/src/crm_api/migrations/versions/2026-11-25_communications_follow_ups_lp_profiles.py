"""Communications (with attendees), follow-ups, LP profiles (with K-1 deliveries).

Revision ID: crm_api_0005
Revises: crm_api_0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "crm_api_0005"
down_revision: str | Sequence[str] | None = "crm_api_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lp_profile",
        sa.Column("contact_id", sa.String(length=36), nullable=True),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("investor_type", sa.String(length=64), nullable=False),
        sa.Column("legal_docs_signed_on", sa.Date(), nullable=True),
        sa.Column("wire_received_on", sa.Date(), nullable=True),
        sa.Column("accreditation_status", sa.String(length=32), nullable=False),
        sa.Column("accreditation_method", sa.String(length=64), nullable=True),
        sa.Column("accreditation_verified_on", sa.Date(), nullable=True),
        sa.Column("accreditation_expires_on", sa.Date(), nullable=True),
        sa.Column("qualified_purchaser", sa.String(length=16), nullable=False),
        sa.Column("offering_exemption", sa.String(length=8), nullable=True),
        sa.Column("kyc_aml_status", sa.String(length=32), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.CheckConstraint(
            "(contact_id IS NULL) <> (organization_id IS NULL)",
            name=op.f("ck_lp_profile_one_investor"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_lp_profile_contact_id_contact")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_lp_profile_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lp_profile")),
    )
    with op.batch_alter_table("lp_profile", schema=None) as batch_op:
        batch_op.create_index("ix_lp_profile_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_lp_profile_updated_at", ["updated_at"], unique=False)
        batch_op.create_index(
            "uq_lp_profile_contact_live",
            ["contact_id"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "uq_lp_profile_organization_live",
            ["organization_id"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )

    op.create_table(
        "communication",
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contact_id", sa.String(length=36), nullable=True),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("opportunity_id", sa.String(length=36), nullable=True),
        sa.Column("outcome", sa.String(length=500), nullable=True),
        sa.Column("next_action", sa.String(length=500), nullable=True),
        sa.Column("next_action_due", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.CheckConstraint(
            "contact_id IS NOT NULL OR organization_id IS NOT NULL",
            name=op.f("ck_communication_on_contact_or_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_communication_contact_id_contact")
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunity.id"],
            name=op.f("fk_communication_opportunity_id_opportunity"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_communication_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communication")),
    )
    with op.batch_alter_table("communication", schema=None) as batch_op:
        batch_op.create_index(
            "ix_communication_contact", ["contact_id", "occurred_at"], unique=False
        )
        batch_op.create_index("ix_communication_occurred_at", ["occurred_at"], unique=False)
        batch_op.create_index("ix_communication_opportunity", ["opportunity_id"], unique=False)
        batch_op.create_index(
            "ix_communication_organization", ["organization_id", "occurred_at"], unique=False
        )
        batch_op.create_index("ix_communication_updated_at", ["updated_at"], unique=False)

    op.create_table(
        "k1_delivery",
        sa.Column("lp_profile_id", sa.String(length=36), nullable=False),
        sa.Column("tax_year", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("is_amended", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["lp_profile_id"],
            ["lp_profile.id"],
            name=op.f("fk_k1_delivery_lp_profile_id_lp_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("lp_profile_id", "tax_year", name=op.f("pk_k1_delivery")),
    )
    op.create_table(
        "communication_attendee",
        sa.Column("communication_id", sa.String(length=36), nullable=False),
        sa.Column("contact_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["communication_id"],
            ["communication.id"],
            name=op.f("fk_communication_attendee_communication_id_communication"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_communication_attendee_contact_id_contact"),
        ),
        sa.PrimaryKeyConstraint(
            "communication_id", "contact_id", name=op.f("pk_communication_attendee")
        ),
    )
    with op.batch_alter_table("communication_attendee", schema=None) as batch_op:
        batch_op.create_index("ix_communication_attendee_contact", ["contact_id"], unique=False)

    op.create_table(
        "follow_up",
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sa.String(length=64), nullable=True),
        sa.Column("contact_id", sa.String(length=36), nullable=True),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("opportunity_id", sa.String(length=36), nullable=True),
        sa.Column("communication_id", sa.String(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["communication_id"],
            ["communication.id"],
            name=op.f("fk_follow_up_communication_id_communication"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_follow_up_contact_id_contact")
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunity.id"],
            name=op.f("fk_follow_up_opportunity_id_opportunity"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_follow_up_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user_account.id"], name=op.f("fk_follow_up_owner_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
    )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index("ix_follow_up_contact", ["contact_id"], unique=False)
        batch_op.create_index("ix_follow_up_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_follow_up_open_due", ["status", "due_date"], unique=False)
        batch_op.create_index("ix_follow_up_opportunity", ["opportunity_id"], unique=False)
        batch_op.create_index("ix_follow_up_organization", ["organization_id"], unique=False)
        batch_op.create_index(
            "ix_follow_up_owner", ["owner_id", "status", "due_date"], unique=False
        )
        batch_op.create_index("ix_follow_up_updated_at", ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_updated_at")
        batch_op.drop_index("ix_follow_up_owner")
        batch_op.drop_index("ix_follow_up_organization")
        batch_op.drop_index("ix_follow_up_opportunity")
        batch_op.drop_index("ix_follow_up_open_due")
        batch_op.drop_index("ix_follow_up_created_at")
        batch_op.drop_index("ix_follow_up_contact")

    op.drop_table("follow_up")
    with op.batch_alter_table("communication_attendee", schema=None) as batch_op:
        batch_op.drop_index("ix_communication_attendee_contact")

    op.drop_table("communication_attendee")
    op.drop_table("k1_delivery")
    with op.batch_alter_table("communication", schema=None) as batch_op:
        batch_op.drop_index("ix_communication_updated_at")
        batch_op.drop_index("ix_communication_organization")
        batch_op.drop_index("ix_communication_opportunity")
        batch_op.drop_index("ix_communication_occurred_at")
        batch_op.drop_index("ix_communication_contact")

    op.drop_table("communication")
    with op.batch_alter_table("lp_profile", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_lp_profile_organization_live",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(
            "uq_lp_profile_contact_live",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index("ix_lp_profile_updated_at")
        batch_op.drop_index("ix_lp_profile_created_at")

    op.drop_table("lp_profile")
