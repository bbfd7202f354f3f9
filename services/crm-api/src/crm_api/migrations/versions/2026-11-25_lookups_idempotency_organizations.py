"""Managed lists (seeded with the defaults), idempotency records, organizations and domains.

Revision ID: crm_api_0002
Revises: crm_api_0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from crm_api.lookups.defaults import CLOSED_STAGES, DEFAULTS

revision: str = "crm_api_0002"
down_revision: str | Sequence[str] | None = "crm_api_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_record",
        sa.Column("principal_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("request_digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("principal_id", "key", name=op.f("pk_idempotency_record")),
    )
    op.create_table(
        "lookup_value",
        sa.Column("list_name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_closed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("list_name", "value", name=op.f("pk_lookup_value")),
    )
    op.create_table(
        "organization",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
    )
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.create_index("ix_organization_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_organization_name", ["name"], unique=False)
        batch_op.create_index("ix_organization_updated_at", ["updated_at"], unique=False)

    op.create_table(
        "organization_domain",
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("is_live", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_organization_domain_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "domain", name=op.f("pk_organization_domain")),
    )
    with op.batch_alter_table("organization_domain", schema=None) as batch_op:
        batch_op.create_index(
            "uq_organization_domain_live",
            ["domain"],
            unique=True,
            sqlite_where=sa.text("is_live = 1"),
            postgresql_where=sa.text("is_live"),
        )

    _seed_lookups()


def _seed_lookups() -> None:
    # The starting values of a new CRM; later changes to them are made by admins, not here.
    now = datetime.now(UTC)
    table = sa.table(
        "lookup_value",
        sa.column("list_name", sa.String),
        sa.column("value", sa.String),
        sa.column("label", sa.String),
        sa.column("position", sa.Integer),
        sa.column("is_active", sa.Boolean),
        sa.column("is_closed", sa.Boolean),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    rows = [
        {
            "list_name": list_name,
            "value": value,
            "label": label,
            "position": position,
            "is_active": True,
            "is_closed": value in CLOSED_STAGES,
            "created_at": now,
            "updated_at": now,
        }
        for list_name, values in DEFAULTS.items()
        for position, (value, label) in enumerate(values, start=1)
    ]
    op.bulk_insert(table, rows)


def downgrade() -> None:
    with op.batch_alter_table("organization_domain", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_organization_domain_live",
            sqlite_where=sa.text("is_live = 1"),
            postgresql_where=sa.text("is_live"),
        )

    op.drop_table("organization_domain")
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_index("ix_organization_updated_at")
        batch_op.drop_index("ix_organization_name")
        batch_op.drop_index("ix_organization_created_at")

    op.drop_table("organization")
    op.drop_table("lookup_value")
    op.drop_table("idempotency_record")
