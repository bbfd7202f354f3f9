from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.database import Base
from crm_api.kit.models import AggregateMixin

_LIVE = text("deleted_at IS NULL")


class Tag(AggregateMixin, Base):
    """One tag of the palette. Records hold it through the link tables below, whose foreign keys
    keep a linked tag from being purged."""

    __tablename__ = "tag"
    __table_args__ = (
        # One live tag per name, whatever its case; a deleted tag frees its name.
        Index(
            "uq_tag_name_key_live",
            "name_key",
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        ),
        Index("ix_tag_name", "name"),
        Index("ix_tag_updated_at", "updated_at"),
        Index("ix_tag_created_at", "created_at"),
    )

    name: Mapped[str] = mapped_column(String(64))
    # name.casefold(), kept by the service (as funds do): SQLite's lower() is ASCII-only.
    name_key: Mapped[str] = mapped_column(String(200))
    color: Mapped[str] = mapped_column(String(7))
    description: Mapped[str] = mapped_column(Text, default="")


def link_table(record: str) -> Table:
    """`<record>_tag`: which tags a record of the table `record` has. Purging the record drops its
    links; a tag stays unpurgeable while any record links it."""
    return Table(
        f"{record}_tag",
        Base.metadata,
        Column(
            f"{record}_id",
            String(36),
            ForeignKey(f"{record}.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        Column("tag_id", String(36), ForeignKey("tag.id"), primary_key=True),
        Index(f"ix_{record}_tag_tag_id", "tag_id"),
    )
