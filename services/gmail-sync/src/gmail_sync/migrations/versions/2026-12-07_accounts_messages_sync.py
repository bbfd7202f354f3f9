"""gmail-sync's tables: accounts, encrypted OAuth tokens and pending authorizations, canonical
messages, their sightings per mailbox, attachments and entity links, sync state and sync runs.

Revision ID: gmail_sync_0001
Revises:
Create Date: 2026-12-07 18:19:49.129753
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gmail_sync_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("gmail_sync",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("auth_kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_detail", sa.String(length=2000), nullable=False),
        sa.Column("is_opted_out", sa.Boolean(), nullable=False),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("messages_seen", sa.Integer(), nullable=False),
        sa.Column("messages_withheld", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("email", name=op.f("uq_account_email")),
        sa.UniqueConstraint("user_id", name=op.f("uq_account_user_id")),
    )
    op.create_table(
        "email_message",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=False),
        sa.Column("thread_key", sa.String(length=32), nullable=False),
        sa.Column("in_reply_to", sa.String(length=998), nullable=True),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("subject", sa.String(length=2000), nullable=False),
        sa.Column("sender", sa.JSON(), nullable=True),
        sa.Column("to", sa.JSON(), nullable=False),
        sa.Column("cc", sa.JSON(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_user_id", sa.String(length=64), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=True),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("searchable_text", sa.Text(), nullable=True),
        sa.Column("defects", sa.JSON(), nullable=False),
        sa.Column("is_matched", sa.Boolean(), nullable=False),
        sa.Column("needs_rematch", sa.Boolean(), nullable=False),
        sa.Column("private_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("private_by", sa.String(length=64), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_message")),
        sa.UniqueConstraint("message_id", name=op.f("uq_email_message_message_id")),
    )
    with op.batch_alter_table("email_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_email_message_needs_rematch"), ["needs_rematch"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_email_message_sent_at"), ["sent_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_email_message_thread_key"), ["thread_key"], unique=False
        )

    op.create_table(
        "oauth_state",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("verifier_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("redirect_uri", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_oauth_state")),
    )
    with op.batch_alter_table("oauth_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oauth_state_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "email_attachment",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("email_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=1000), nullable=True),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("is_too_large", sa.Boolean(), nullable=False),
        sa.Column("is_stored", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["email_id"],
            ["email_message.id"],
            name=op.f("fk_email_attachment_email_id_email_message"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_attachment")),
        sa.UniqueConstraint("email_id", "position", name=op.f("uq_email_attachment_email_id")),
    )
    with op.batch_alter_table("email_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_attachment_sha256"), ["sha256"], unique=False)

    op.create_table(
        "email_link",
        sa.Column("email_id", sa.String(length=36), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("entity_kind", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("match_kind", sa.String(length=32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["email_id"], ["email_message.id"], name=op.f("fk_email_link_email_id_email_message")
        ),
        sa.PrimaryKeyConstraint("email_id", "entity_id", name=op.f("pk_email_link")),
    )
    with op.batch_alter_table("email_link", schema=None) as batch_op:
        batch_op.create_index("ix_email_link_entity", ["entity_id", "email_id"], unique=False)

    op.create_table(
        "email_sighting",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("gmail_id", sa.String(length=64), nullable=False),
        sa.Column("gmail_thread_id", sa.String(length=64), nullable=True),
        sa.Column("email_id", sa.String(length=36), nullable=True),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("internal_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withheld_reason", sa.String(length=16), nullable=True),
        sa.Column("withheld_hash", sa.String(length=64), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_email_sighting_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["email_id"],
            ["email_message.id"],
            name=op.f("fk_email_sighting_email_id_email_message"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_sighting")),
        sa.UniqueConstraint("account_id", "gmail_id", name=op.f("uq_email_sighting_account_id")),
    )
    with op.batch_alter_table("email_sighting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_sighting_email_id"), ["email_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_email_sighting_withheld_hash"), ["withheld_hash"], unique=False
        )

    op.create_table(
        "oauth_token",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("scopes", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_oauth_token_account_id_account")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_oauth_token")),
    )
    op.create_table(
        "sync_run",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Integer(), nullable=False),
        sa.Column("withheld", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_sync_run_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_run")),
    )
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_run_account_id"), ["account_id"], unique=False)

    op.create_table(
        "sync_state",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("page_token", sa.String(length=2000), nullable=True),
        sa.Column("pages_done", sa.Integer(), nullable=False),
        sa.Column("messages_done", sa.Integer(), nullable=False),
        sa.Column("start_history_id", sa.BigInteger(), nullable=True),
        sa.Column("history_id", sa.BigInteger(), nullable=True),
        sa.Column("backfill_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("backfill_done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_sync_state_account_id_account")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_sync_state")),
    )

    op.create_table(
        "email_participant",
        sa.Column("email_id", sa.String(length=36), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["email_id"],
            ["email_message.id"],
            name=op.f("fk_email_participant_email_id_email_message"),
        ),
        sa.PrimaryKeyConstraint("email_id", "address", name=op.f("pk_email_participant")),
    )
    with op.batch_alter_table("email_participant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_participant_address"), ["address"], unique=False)
        batch_op.create_index(batch_op.f("ix_email_participant_domain"), ["domain"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("email_participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_participant_domain"))
        batch_op.drop_index(batch_op.f("ix_email_participant_address"))
    op.drop_table("email_participant")
    op.drop_table("sync_state")
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_run_account_id"))

    op.drop_table("sync_run")
    op.drop_table("oauth_token")
    with op.batch_alter_table("email_sighting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_sighting_withheld_hash"))
        batch_op.drop_index(batch_op.f("ix_email_sighting_email_id"))

    op.drop_table("email_sighting")
    with op.batch_alter_table("email_link", schema=None) as batch_op:
        batch_op.drop_index("ix_email_link_entity")

    op.drop_table("email_link")
    with op.batch_alter_table("email_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_attachment_sha256"))

    op.drop_table("email_attachment")
    with op.batch_alter_table("oauth_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_state_expires_at"))

    op.drop_table("oauth_state")
    with op.batch_alter_table("email_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_message_thread_key"))
        batch_op.drop_index(batch_op.f("ix_email_message_sent_at"))
        batch_op.drop_index(batch_op.f("ix_email_message_needs_rematch"))

    op.drop_table("email_message")
    op.drop_table("account")
