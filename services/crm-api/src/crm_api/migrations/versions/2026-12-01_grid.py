"""The fundraising grid: rows keyed by the investor (flags, lead source, custom values, the
row's contacts), custom columns, saved views, edit batches (for undo); automations: lists, list
memberships, rules, their schedules and runs. Seeds the built-in lists (all, follow-up,
graveyard) and the rules that keep them.

Revision ID: crm_api_grid_0001
Revises: crm_api_canonical_0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from crm_api.automations.defaults import BUILTIN_LISTS, BUILTIN_RULES
from crm_common.ids import new_id_str

revision: str = "crm_api_grid_0001"
down_revision: str | Sequence[str] | None = "crm_api_canonical_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SYSTEM = "crm-api"


def upgrade() -> None:
    op.create_table(
        "grid_batch",
        sa.Column("principal_id", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.JSON(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undo_of", sa.String(length=36), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_batch")),
    )
    with op.batch_alter_table("grid_batch", schema=None) as batch_op:
        batch_op.create_index(
            "ix_grid_batch_principal", ["principal_id", "created_at"], unique=False
        )

    op.create_table(
        "grid_column",
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_column")),
    )
    with op.batch_alter_table("grid_column", schema=None) as batch_op:
        batch_op.create_index("ix_grid_column_position", ["position"], unique=False)
        batch_op.create_index("uq_grid_column_key", ["key"], unique=True)

    op.create_table(
        "grid_list",
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("is_builtin", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_list")),
    )
    with op.batch_alter_table("grid_list", schema=None) as batch_op:
        batch_op.create_index("uq_grid_list_key", ["key"], unique=True)

    op.create_table(
        "grid_rule",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_builtin", sa.Boolean(), nullable=False),
        sa.Column("on_change", sa.Boolean(), nullable=False),
        sa.Column("schedule_seconds", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("condition", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("otherwise", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_rule")),
    )
    with op.batch_alter_table("grid_rule", schema=None) as batch_op:
        batch_op.create_index("ix_grid_rule_position", ["position"], unique=False)

    op.create_table(
        "grid_rule_run",
        sa.Column("rule_id", sa.String(length=36), nullable=True),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("is_dry_run", sa.Boolean(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("actor", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rows_evaluated", sa.Integer(), nullable=False),
        sa.Column("rows_matched", sa.Integer(), nullable=False),
        sa.Column("change_count", sa.Integer(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_rule_run")),
    )
    with op.batch_alter_table("grid_rule_run", schema=None) as batch_op:
        batch_op.create_index("ix_grid_rule_run_rule_id", ["rule_id", "started_at"], unique=False)
        batch_op.create_index("ix_grid_rule_run_started_at", ["started_at"], unique=False)

    op.create_table(
        "grid_rule_schedule",
        sa.Column("rule_id", sa.String(length=36), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["grid_rule.id"],
            name=op.f("fk_grid_rule_schedule_rule_id_grid_rule"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("rule_id", name=op.f("pk_grid_rule_schedule")),
    )
    op.create_table(
        "grid_view",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("is_shared", sa.Boolean(), nullable=False),
        sa.Column("list_key", sa.String(length=50), nullable=True),
        sa.Column("filters", sa.JSON(), nullable=True),
        sa.Column("sorts", sa.JSON(), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=True),
        sa.Column("group_by", sa.String(length=120), nullable=True),
        sa.Column("frozen_columns", sa.Integer(), nullable=False),
        sa.Column("amount_field", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user_account.id"], name=op.f("fk_grid_view_owner_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_view")),
    )
    with op.batch_alter_table("grid_view", schema=None) as batch_op:
        batch_op.create_index("ix_grid_view_owner_id", ["owner_id"], unique=False)
        batch_op.create_index("ix_grid_view_updated_at", ["updated_at"], unique=False)

    op.create_table(
        "grid_row",
        sa.Column("investor_kind", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("contact_id", sa.String(length=36), nullable=True),
        sa.Column("position", sa.Float(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("lead_source", sa.String(length=200), nullable=True),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.CheckConstraint(
            "(investor_kind = 'organization' AND organization_id IS NOT NULL "
            "AND contact_id IS NULL) OR (investor_kind = 'contact' AND contact_id IS NOT NULL "
            "AND organization_id IS NULL)",
            name=op.f("ck_grid_row_one_investor"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_grid_row_contact_id_contact")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_grid_row_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_row")),
    )
    with op.batch_alter_table("grid_row", schema=None) as batch_op:
        batch_op.create_index("ix_grid_row_position", ["position"], unique=False)
        batch_op.create_index("ix_grid_row_updated_at", ["updated_at"], unique=False)
        batch_op.create_index("uq_grid_row_contact_id", ["contact_id"], unique=True)
        batch_op.create_index("uq_grid_row_organization_id", ["organization_id"], unique=True)

    op.create_table(
        "grid_list_member",
        sa.Column("list_id", sa.String(length=36), nullable=False),
        sa.Column("list_key", sa.String(length=50), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("rule_id", sa.String(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"], ["grid_list.id"], name=op.f("fk_grid_list_member_list_id_grid_list")
        ),
        sa.ForeignKeyConstraint(
            ["row_id"], ["grid_row.id"], name=op.f("fk_grid_list_member_row_id_grid_row")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_list_member")),
    )
    with op.batch_alter_table("grid_list_member", schema=None) as batch_op:
        batch_op.create_index("ix_grid_list_member_row_id", ["row_id"], unique=False)
        batch_op.create_index("uq_grid_list_member_list_row", ["list_id", "row_id"], unique=True)

    op.create_table(
        "grid_row_contact",
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("contact_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_grid_row_contact_contact_id_contact")
        ),
        sa.ForeignKeyConstraint(
            ["row_id"],
            ["grid_row.id"],
            name=op.f("fk_grid_row_contact_row_id_grid_row"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("row_id", "contact_id", name=op.f("pk_grid_row_contact")),
    )
    with op.batch_alter_table("grid_row_contact", schema=None) as batch_op:
        batch_op.create_index("ix_grid_row_contact_contact_id", ["contact_id"], unique=False)

    _seed()


def _aggregate_columns() -> list[sa.sql.expression.ColumnClause[object]]:
    return [
        sa.column("id", sa.String),
        sa.column("version", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        sa.column("created_by", sa.String),
        sa.column("updated_by", sa.String),
    ]


def _seed() -> None:
    now = datetime.now(UTC)
    stamp = {
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "created_by": SYSTEM,
        "updated_by": SYSTEM,
    }
    lists = sa.table(
        "grid_list",
        *_aggregate_columns(),
        sa.column("key", sa.String),
        sa.column("name", sa.String),
        sa.column("description", sa.Text),
        sa.column("is_builtin", sa.Boolean),
    )
    op.bulk_insert(
        lists,
        [
            {"id": new_id_str(), "key": key, "name": name, "description": text, "is_builtin": True}
            | stamp
            for key, name, text in BUILTIN_LISTS
        ],
    )
    rules = sa.table(
        "grid_rule",
        *_aggregate_columns(),
        sa.column("name", sa.String),
        sa.column("description", sa.Text),
        sa.column("is_active", sa.Boolean),
        sa.column("is_builtin", sa.Boolean),
        sa.column("on_change", sa.Boolean),
        sa.column("schedule_seconds", sa.Integer),
        sa.column("position", sa.Integer),
        sa.column("condition", sa.JSON),
        sa.column("actions", sa.JSON),
        sa.column("otherwise", sa.JSON),
    )
    op.bulk_insert(
        rules,
        [
            {
                "id": new_id_str(),
                "is_active": True,
                "is_builtin": True,
                "on_change": True,
                "schedule_seconds": None,
                "position": position,
                **rule,
            }
            | stamp
            for position, rule in enumerate(BUILTIN_RULES)
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("grid_row_contact", schema=None) as batch_op:
        batch_op.drop_index("ix_grid_row_contact_contact_id")

    op.drop_table("grid_row_contact")
    with op.batch_alter_table("grid_list_member", schema=None) as batch_op:
        batch_op.drop_index("uq_grid_list_member_list_row")
        batch_op.drop_index("ix_grid_list_member_row_id")

    op.drop_table("grid_list_member")
    with op.batch_alter_table("grid_row", schema=None) as batch_op:
        batch_op.drop_index("uq_grid_row_organization_id")
        batch_op.drop_index("uq_grid_row_contact_id")
        batch_op.drop_index("ix_grid_row_updated_at")
        batch_op.drop_index("ix_grid_row_position")

    op.drop_table("grid_row")
    with op.batch_alter_table("grid_view", schema=None) as batch_op:
        batch_op.drop_index("ix_grid_view_updated_at")
        batch_op.drop_index("ix_grid_view_owner_id")

    op.drop_table("grid_view")
    op.drop_table("grid_rule_schedule")
    with op.batch_alter_table("grid_rule_run", schema=None) as batch_op:
        batch_op.drop_index("ix_grid_rule_run_started_at")
        batch_op.drop_index("ix_grid_rule_run_rule_id")

    op.drop_table("grid_rule_run")
    with op.batch_alter_table("grid_rule", schema=None) as batch_op:
        batch_op.drop_index("ix_grid_rule_position")

    op.drop_table("grid_rule")
    with op.batch_alter_table("grid_list", schema=None) as batch_op:
        batch_op.drop_index("uq_grid_list_key")

    op.drop_table("grid_list")
    with op.batch_alter_table("grid_column", schema=None) as batch_op:
        batch_op.drop_index("uq_grid_column_key")
        batch_op.drop_index("ix_grid_column_position")

    op.drop_table("grid_column")
    with op.batch_alter_table("grid_batch", schema=None) as batch_op:
        batch_op.drop_index("ix_grid_batch_principal")

    op.drop_table("grid_batch")
