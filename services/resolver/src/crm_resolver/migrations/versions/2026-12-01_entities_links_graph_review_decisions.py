"""The resolver's tables: source records and their match indexes (emails, domains, blocking
keys, email sightings, team members), canonical entities and their links, relation evidence, the
review queue, and decisions with the link moves and constraints that make them reversible.

Revision ID: resolver_0001
Revises:
Create Date: 2026-12-01 10:46:48.556631
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "resolver_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("resolver",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "block_key",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("source_kind", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=320), nullable=False),
        sa.PrimaryKeyConstraint("key", "source_kind", "source_id", name=op.f("pk_block_key")),
    )
    with op.batch_alter_table("block_key", schema=None) as batch_op:
        batch_op.create_index("ix_block_key_record", ["source_kind", "source_id"], unique=False)

    op.create_table(
        "decision",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("actor", sa.JSON(), nullable=True),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("entity_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undoes", sa.String(length=36), nullable=True),
        sa.Column("undone_by", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["undoes"], ["decision.id"], name=op.f("fk_decision_undoes_decision")
        ),
        sa.ForeignKeyConstraint(
            ["undone_by"], ["decision.id"], name=op.f("fk_decision_undone_by_decision")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_created_at"), ["created_at"], unique=False)

    op.create_table(
        "entity",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("merged_into", sa.String(length=36), nullable=True),
        sa.Column("display_name", sa.String(length=400), nullable=False),
        sa.Column("is_lp", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["entity.id"], name=op.f("fk_entity_merged_into_entity")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity")),
    )
    with op.batch_alter_table("entity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entity_merged_into"), ["merged_into"], unique=False)

    op.create_table(
        "participant_sighting",
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("address", "message_id", name=op.f("pk_participant_sighting")),
    )
    with op.batch_alter_table("participant_sighting", schema=None) as batch_op:
        batch_op.create_index("ix_participant_sighting_message", ["message_id"], unique=False)

    op.create_table(
        "relation_evidence",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("origin_kind", sa.String(length=32), nullable=False),
        sa.Column("origin_id", sa.String(length=320), nullable=False),
        sa.Column("edge_kind", sa.String(length=16), nullable=False),
        sa.Column("a_kind", sa.String(length=32), nullable=False),
        sa.Column("a_id", sa.String(length=320), nullable=False),
        sa.Column("b_kind", sa.String(length=32), nullable=False),
        sa.Column("b_id", sa.String(length=320), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relation_evidence")),
    )
    with op.batch_alter_table("relation_evidence", schema=None) as batch_op:
        batch_op.create_index("ix_relation_evidence_a", ["a_kind", "a_id"], unique=False)
        batch_op.create_index("ix_relation_evidence_b", ["b_kind", "b_id"], unique=False)
        batch_op.create_index(
            "ix_relation_evidence_origin", ["origin_kind", "origin_id"], unique=False
        )

    op.create_table(
        "review_item",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pair_key", sa.String(length=700), nullable=False),
        sa.Column("left_entity", sa.String(length=36), nullable=False),
        sa.Column("right_entity", sa.String(length=36), nullable=False),
        sa.Column("left_kind", sa.String(length=32), nullable=False),
        sa.Column("left_id", sa.String(length=320), nullable=False),
        sa.Column("right_kind", sa.String(length=32), nullable=False),
        sa.Column("right_id", sa.String(length=320), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("pair", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decision_id", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_item")),
        sa.UniqueConstraint("pair_key", name=op.f("uq_review_item_pair_key")),
    )
    with op.batch_alter_table("review_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_item_left_entity"), ["left_entity"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_review_item_right_entity"), ["right_entity"], unique=False
        )
        batch_op.create_index(
            "ix_review_item_status_probability", ["status", "probability"], unique=False
        )

    op.create_table(
        "source_domain",
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("source_kind", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=320), nullable=False),
        sa.PrimaryKeyConstraint(
            "domain", "source_kind", "source_id", name=op.f("pk_source_domain")
        ),
    )
    with op.batch_alter_table("source_domain", schema=None) as batch_op:
        batch_op.create_index("ix_source_domain_record", ["source_kind", "source_id"], unique=False)

    op.create_table(
        "source_email",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("source_kind", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=320), nullable=False),
        sa.PrimaryKeyConstraint("email", "source_kind", "source_id", name=op.f("pk_source_email")),
    )
    with op.batch_alter_table("source_email", schema=None) as batch_op:
        batch_op.create_index("ix_source_email_record", ["source_kind", "source_id"], unique=False)

    op.create_table(
        "source_record",
        sa.Column("source_kind", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=320), nullable=False),
        sa.Column("entity_kind", sa.String(length=16), nullable=True),
        sa.Column("anchor_kind", sa.String(length=32), nullable=True),
        sa.Column("anchor_id", sa.String(length=320), nullable=True),
        sa.Column("is_live", sa.Boolean(), nullable=False),
        sa.Column("label", sa.String(length=400), nullable=False),
        sa.Column("attrs", sa.JSON(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source_kind", "source_id", name=op.f("pk_source_record")),
    )
    with op.batch_alter_table("source_record", schema=None) as batch_op:
        batch_op.create_index("ix_source_record_anchor", ["anchor_kind", "anchor_id"], unique=False)

    op.create_table(
        "team_member",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=300), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_member")),
    )
    with op.batch_alter_table("team_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_member_email"), ["email"], unique=False)

    op.create_table(
        "decision_entity",
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decision.id"], name=op.f("fk_decision_entity_decision_id_decision")
        ),
        sa.PrimaryKeyConstraint("decision_id", "entity_id", name=op.f("pk_decision_entity")),
    )
    with op.batch_alter_table("decision_entity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decision_entity_entity_id"), ["entity_id"], unique=False
        )

    op.create_table(
        "decision_move",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("source_kind", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=320), nullable=False),
        sa.Column("from_entity", sa.String(length=36), nullable=False),
        sa.Column("to_entity", sa.String(length=36), nullable=False),
        sa.Column("prev_match_kind", sa.String(length=32), nullable=False),
        sa.Column("prev_confidence", sa.Float(), nullable=False),
        sa.Column("prev_decided_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decision.id"], name=op.f("fk_decision_move_decision_id_decision")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_move")),
    )
    with op.batch_alter_table("decision_move", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decision_move_decision_id"), ["decision_id"], unique=False
        )

    op.create_table(
        "entity_link",
        sa.Column("source_kind", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=320), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("match_kind", sa.String(length=32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entity.id"], name=op.f("fk_entity_link_entity_id_entity")
        ),
        sa.PrimaryKeyConstraint("source_kind", "source_id", name=op.f("pk_entity_link")),
    )
    with op.batch_alter_table("entity_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entity_link_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "pair_constraint",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("left_kind", sa.String(length=32), nullable=False),
        sa.Column("left_id", sa.String(length=320), nullable=False),
        sa.Column("right_kind", sa.String(length=32), nullable=False),
        sa.Column("right_id", sa.String(length=320), nullable=False),
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decision.id"], name=op.f("fk_pair_constraint_decision_id_decision")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_constraint")),
    )
    with op.batch_alter_table("pair_constraint", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pair_constraint_decision_id"), ["decision_id"], unique=False
        )
        batch_op.create_index("ix_pair_constraint_left", ["left_kind", "left_id"], unique=False)
        batch_op.create_index("ix_pair_constraint_right", ["right_kind", "right_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pair_constraint", schema=None) as batch_op:
        batch_op.drop_index("ix_pair_constraint_right")
        batch_op.drop_index("ix_pair_constraint_left")
        batch_op.drop_index(batch_op.f("ix_pair_constraint_decision_id"))

    op.drop_table("pair_constraint")
    with op.batch_alter_table("entity_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_link_entity_id"))

    op.drop_table("entity_link")
    with op.batch_alter_table("decision_move", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_move_decision_id"))

    op.drop_table("decision_move")
    with op.batch_alter_table("decision_entity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_entity_entity_id"))

    op.drop_table("decision_entity")
    with op.batch_alter_table("team_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_member_email"))

    op.drop_table("team_member")
    with op.batch_alter_table("source_record", schema=None) as batch_op:
        batch_op.drop_index("ix_source_record_anchor")

    op.drop_table("source_record")
    with op.batch_alter_table("source_email", schema=None) as batch_op:
        batch_op.drop_index("ix_source_email_record")

    op.drop_table("source_email")
    with op.batch_alter_table("source_domain", schema=None) as batch_op:
        batch_op.drop_index("ix_source_domain_record")

    op.drop_table("source_domain")
    with op.batch_alter_table("review_item", schema=None) as batch_op:
        batch_op.drop_index("ix_review_item_status_probability")
        batch_op.drop_index(batch_op.f("ix_review_item_right_entity"))
        batch_op.drop_index(batch_op.f("ix_review_item_left_entity"))

    op.drop_table("review_item")
    with op.batch_alter_table("relation_evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_relation_evidence_origin")
        batch_op.drop_index("ix_relation_evidence_b")
        batch_op.drop_index("ix_relation_evidence_a")

    op.drop_table("relation_evidence")
    with op.batch_alter_table("participant_sighting", schema=None) as batch_op:
        batch_op.drop_index("ix_participant_sighting_message")

    op.drop_table("participant_sighting")
    with op.batch_alter_table("entity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_merged_into"))

    op.drop_table("entity")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_created_at"))

    op.drop_table("decision")
    with op.batch_alter_table("block_key", schema=None) as batch_op:
        batch_op.drop_index("ix_block_key_record")

    op.drop_table("block_key")
