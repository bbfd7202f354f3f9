"""Funds and opportunities (one investor's position in one fund), and the fund_status list.

Revision ID: crm_api_0004
Revises: crm_api_0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "crm_api_0004"
down_revision: str | Sequence[str] | None = "crm_api_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LIVE = sa.text("deleted_at IS NULL")

# The list as it stood when funds arrived; later changes are made by admins, not here.
FUND_STATUS = [
    ("raising", "Raising"),
    ("first_close", "First close"),
    ("final_close", "Final close"),
    ("investing", "Investing"),
    ("harvesting", "Harvesting"),
    ("closed", "Closed"),
]


def upgrade() -> None:
    op.create_table(
        "fund",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=600), nullable=False),
        sa.Column("vintage", sa.Integer(), nullable=True),
        sa.Column("target_size", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.CheckConstraint("target_size >= 0", name=op.f("ck_fund_target_size_not_negative")),
        sa.CheckConstraint("vintage BETWEEN 1900 AND 2200", name=op.f("ck_fund_vintage_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund")),
    )
    with op.batch_alter_table("fund", schema=None) as batch_op:
        batch_op.create_index("ix_fund_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_fund_position", ["position"], unique=False)
        batch_op.create_index("ix_fund_updated_at", ["updated_at"], unique=False)
        batch_op.create_index(
            "uq_fund_name_key_live",
            ["name_key"],
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        )

    op.create_table(
        "opportunity",
        sa.Column("investor_organization_id", sa.String(length=36), nullable=True),
        sa.Column("investor_contact_id", sa.String(length=36), nullable=True),
        sa.Column("fund_id", sa.String(length=36), nullable=False),
        sa.Column("stage", sa.String(length=64), nullable=False),
        sa.Column("expected_amount", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column("committed_amount", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column("funded_amount", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=True),
        sa.Column("next_step", sa.Text(), nullable=False),
        sa.Column("lost_reason", sa.String(length=500), nullable=True),
        sa.Column("close_date", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.CheckConstraint(
            "(investor_organization_id IS NULL) <> (investor_contact_id IS NULL)",
            name=op.f("ck_opportunity_one_investor"),
        ),
        sa.CheckConstraint(
            "committed_amount >= 0", name=op.f("ck_opportunity_committed_amount_not_negative")
        ),
        sa.CheckConstraint(
            "expected_amount >= 0", name=op.f("ck_opportunity_expected_amount_not_negative")
        ),
        sa.CheckConstraint(
            "funded_amount >= 0", name=op.f("ck_opportunity_funded_amount_not_negative")
        ),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"], name=op.f("fk_opportunity_fund_id_fund")),
        sa.ForeignKeyConstraint(
            ["investor_contact_id"],
            ["contact.id"],
            name=op.f("fk_opportunity_investor_contact_id_contact"),
        ),
        sa.ForeignKeyConstraint(
            ["investor_organization_id"],
            ["organization.id"],
            name=op.f("fk_opportunity_investor_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user_account.id"], name=op.f("fk_opportunity_owner_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity")),
    )
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.create_index("ix_opportunity_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_opportunity_fund_id", ["fund_id"], unique=False)
        batch_op.create_index("ix_opportunity_owner_id", ["owner_id"], unique=False)
        batch_op.create_index("ix_opportunity_stage", ["stage"], unique=False)
        batch_op.create_index("ix_opportunity_updated_at", ["updated_at"], unique=False)
        batch_op.create_index(
            "uq_opportunity_contact_fund_live",
            ["investor_contact_id", "fund_id"],
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        )
        batch_op.create_index(
            "uq_opportunity_organization_fund_live",
            ["investor_organization_id", "fund_id"],
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        )

    _seed_fund_status()


def _seed_fund_status() -> None:
    # crm_api_0002 seeds every list of lookups.defaults as it stands when it runs, so a database
    # created after fund_status joined DEFAULTS has the rows already: add only the missing ones.
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
    present = set(
        op.get_bind().scalars(sa.select(table.c.value).where(table.c.list_name == "fund_status"))
    )
    now = datetime.now(UTC)
    rows = [
        {
            "list_name": "fund_status",
            "value": value,
            "label": label,
            "position": position,
            "is_active": True,
            "is_closed": False,
            "created_at": now,
            "updated_at": now,
        }
        for position, (value, label) in enumerate(FUND_STATUS, start=1)
        if value not in present
    ]
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_opportunity_organization_fund_live",
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        )
        batch_op.drop_index(
            "uq_opportunity_contact_fund_live",
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        )
        batch_op.drop_index("ix_opportunity_updated_at")
        batch_op.drop_index("ix_opportunity_stage")
        batch_op.drop_index("ix_opportunity_owner_id")
        batch_op.drop_index("ix_opportunity_fund_id")
        batch_op.drop_index("ix_opportunity_created_at")

    op.drop_table("opportunity")
    with op.batch_alter_table("fund", schema=None) as batch_op:
        batch_op.drop_index("uq_fund_name_key_live", sqlite_where=_LIVE, postgresql_where=_LIVE)
        batch_op.drop_index("ix_fund_updated_at")
        batch_op.drop_index("ix_fund_position")
        batch_op.drop_index("ix_fund_created_at")

    op.drop_table("fund")
    op.execute(sa.text("DELETE FROM lookup_value WHERE list_name = 'fund_status'"))
