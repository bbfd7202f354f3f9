"""The quick `q` match of contacts through an index: `contact_search` holds each contact's folded
names, addresses and organization names; pg_trgm's GIN index on PostgreSQL, an external-content
FTS5 trigram table kept in step by triggers on SQLite. Existing contacts are indexed here.
Follow-ups get (contact or organization, status, due date) indexes for the dossiers, and
organizations an index on lower(name) for the lookups by name, contacts one on (country, city).

Revision ID: crm_api_0007
Revises: crm_api_0006
Create Date: 2026-12-01
"""

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from crm_api.contacts.search import compose_document

revision: str = "crm_api_0007"
down_revision: str | Sequence[str] | None = "crm_api_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE contact_search_fts USING fts5("
    "document, content='contact_search', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER contact_search_ai AFTER INSERT ON contact_search BEGIN "
    "INSERT INTO contact_search_fts(rowid, document) VALUES (new.id, new.document); END",
    "CREATE TRIGGER contact_search_ad AFTER DELETE ON contact_search BEGIN "
    "INSERT INTO contact_search_fts(contact_search_fts, rowid, document) "
    "VALUES ('delete', old.id, old.document); END",
    "CREATE TRIGGER contact_search_au AFTER UPDATE ON contact_search BEGIN "
    "INSERT INTO contact_search_fts(contact_search_fts, rowid, document) "
    "VALUES ('delete', old.id, old.document); "
    "INSERT INTO contact_search_fts(rowid, document) VALUES (new.id, new.document); END",
)
_BATCH = 2000


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "contact_search",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("contact_id", sa.String(length=36), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_contact_search_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_search")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_contact_search_contact_id")),
    )
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_contact_search_document_trgm ON contact_search "
            "USING gin (document gin_trgm_ops)"
        )
    else:
        for statement in _SQLITE_FTS:
            op.execute(statement)
    _backfill(bind)
    op.create_index("ix_organization_name_lower", "organization", [sa.text("lower(name)")])
    op.create_index("ix_contact_country_city", "contact", ["country", "city"])
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_contact")
        batch_op.drop_index("ix_follow_up_organization")
        batch_op.create_index(
            "ix_follow_up_contact_open", ["contact_id", "status", "due_date"], unique=False
        )
        batch_op.create_index(
            "ix_follow_up_organization_open",
            ["organization_id", "status", "due_date"],
            unique=False,
        )


def _backfill(bind: sa.Connection) -> None:
    contact = sa.table("contact", sa.column("id"), sa.column("first_name"), sa.column("last_name"))
    email = sa.table("contact_email", sa.column("contact_id"), sa.column("email"))
    affiliation = sa.table("affiliation", sa.column("contact_id"), sa.column("organization_id"))
    organization = sa.table("organization", sa.column("id"), sa.column("name"))
    search = sa.table("contact_search", sa.column("contact_id"), sa.column("document"))
    after = ""
    while True:
        people = bind.execute(
            sa.select(contact.c.id, contact.c.first_name, contact.c.last_name)
            .where(contact.c.id > after)
            .order_by(contact.c.id)
            .limit(_BATCH)
        ).all()
        if not people:
            return
        ids = [p.id for p in people]
        emails: dict[str, list[str]] = defaultdict(list)
        for row in bind.execute(
            sa.select(email.c.contact_id, email.c.email).where(email.c.contact_id.in_(ids))
        ):
            emails[row.contact_id].append(row.email)
        names: dict[str, list[str]] = defaultdict(list)
        for row in bind.execute(
            sa.select(affiliation.c.contact_id, organization.c.name)
            .join(organization, organization.c.id == affiliation.c.organization_id)
            .where(affiliation.c.contact_id.in_(ids))
        ):
            names[row.contact_id].append(row.name)
        bind.execute(
            search.insert(),
            [
                {
                    "contact_id": p.id,
                    "document": compose_document(
                        p.first_name, p.last_name, emails[p.id], names[p.id]
                    ),
                }
                for p in people
            ],
        )
        after = ids[-1]


def downgrade() -> None:
    op.drop_index("ix_contact_country_city", table_name="contact")
    op.drop_index("ix_organization_name_lower", table_name="organization")
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_organization_open")
        batch_op.drop_index("ix_follow_up_contact_open")
        batch_op.create_index("ix_follow_up_organization", ["organization_id"], unique=False)
        batch_op.create_index("ix_follow_up_contact", ["contact_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_contact_search_document_trgm")
    else:
        for name in ("contact_search_ai", "contact_search_ad", "contact_search_au"):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE contact_search_fts")
    op.drop_table("contact_search")
