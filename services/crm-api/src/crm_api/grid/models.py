"""The fundraising grid's own tables. The grid is a pivot of opportunities (a cell IS the
opportunity of a row's investor in a fund); only what a spreadsheet adds lives here, keyed by the
investor with stable ids: row order, flags, lead source, custom column values and the row's
contacts (`grid_row`, `grid_row_contact`), typed custom columns (`grid_column`), saved views
(`grid_view`), the edit batches that undo works from (`grid_batch`), and the named lists of rows
(`grid_list`, `grid_list_member`) that the automations keep."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_api.database import Base, IdMixin
from crm_api.kit.models import AggregateMixin


class GridRow(AggregateMixin, Base):
    """One investor's row: an organization or an individual contact, exactly one."""

    __tablename__ = "grid_row"
    __table_args__ = (
        # One row per investor, deleted or not: removing an investor from the grid and adding it
        # back restores the same row (and its id), so references to it never go stale.
        Index("uq_grid_row_organization_id", "organization_id", unique=True),
        Index("uq_grid_row_contact_id", "contact_id", unique=True),
        Index("ix_grid_row_position", "position"),
        Index("ix_grid_row_updated_at", "updated_at"),
        CheckConstraint(
            "(investor_kind = 'organization' AND organization_id IS NOT NULL "
            "AND contact_id IS NULL) OR (investor_kind = 'contact' AND contact_id IS NOT NULL "
            "AND organization_id IS NULL)",
            name="one_investor",
        ),
    )

    investor_kind: Mapped[str] = mapped_column(String(16))
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organization.id"))
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contact.id"))
    # A float, so a row moves between two others by taking the midpoint: one write, not a
    # renumbering of every row below it.
    position: Mapped[float] = mapped_column(Float)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    lead_source: Mapped[str | None] = mapped_column(String(200))
    # Custom column key -> value, checked against the live grid columns on every write.
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    contacts: Mapped[list[GridRowContact]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="(GridRowContact.position, GridRowContact.contact_id)",
    )


class GridRowContact(Base):
    """A CRM contact on a row (the people at an investor the partners work with)."""

    __tablename__ = "grid_row_contact"
    __table_args__ = (Index("ix_grid_row_contact_contact_id", "contact_id"),)

    row_id: Mapped[str] = mapped_column(
        ForeignKey("grid_row.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[str] = mapped_column(ForeignKey("contact.id"), primary_key=True)
    role: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)


class GridColumn(AggregateMixin, Base):
    """A typed custom column; its key (what row values are keyed by) and type never change."""

    __tablename__ = "grid_column"
    __table_args__ = (
        Index("uq_grid_column_key", "key", unique=True),
        Index("ix_grid_column_position", "position"),
    )

    key: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))
    options: Mapped[list[Any]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    width: Mapped[int | None] = mapped_column(Integer)


class GridView(AggregateMixin, Base):
    """A saved view: filters, sorts, visible and ordered columns, grouping, frozen columns."""

    __tablename__ = "grid_view"
    __table_args__ = (
        Index("ix_grid_view_owner_id", "owner_id"),
        Index("ix_grid_view_updated_at", "updated_at"),
    )

    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"))
    is_shared: Mapped[bool] = mapped_column(Boolean, default=False)
    list_key: Mapped[str | None] = mapped_column(String(50))
    filters: Mapped[Any | None] = mapped_column(JSON, nullable=True, default=None)
    sorts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    columns: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    group_by: Mapped[str | None] = mapped_column(String(120))
    frozen_columns: Mapped[int] = mapped_column(Integer, default=0)
    amount_field: Mapped[str] = mapped_column(String(32), default="committed_amount")


class GridBatch(IdMixin, Base):
    """One edit of the grid (a cell, a row, a pasted range): what each target was before and
    after, so its author can undo it while nobody has changed those targets since."""

    __tablename__ = "grid_batch"
    __table_args__ = (Index("ix_grid_batch_principal", "principal_id", "created_at"),)

    principal_id: Mapped[str] = mapped_column(String(64))
    actor: Mapped[dict[str, Any]] = mapped_column(JSON)
    label: Mapped[str] = mapped_column(String(200), default="")
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    undone_at: Mapped[datetime | None] = mapped_column(default=None)
    undo_of: Mapped[str | None] = mapped_column(String(36))
    note: Mapped[str] = mapped_column(Text, default="")


class GridList(AggregateMixin, Base):
    """A named list of rows (all, follow_up, graveyard, ...), kept by rules."""

    __tablename__ = "grid_list"
    __table_args__ = (Index("uq_grid_list_key", "key", unique=True),)

    key: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    is_builtin: Mapped[bool] = mapped_column(Boolean, default=False)


class GridListMember(AggregateMixin, Base):
    """A row on a list. Leaving the list soft-deletes it; coming back restores the same id."""

    __tablename__ = "grid_list_member"
    __table_args__ = (
        Index("uq_grid_list_member_list_row", "list_id", "row_id", unique=True),
        Index("ix_grid_list_member_row_id", "row_id"),
    )

    list_id: Mapped[str] = mapped_column(ForeignKey("grid_list.id"))
    list_key: Mapped[str] = mapped_column(String(50))  # the list's key, which never changes
    row_id: Mapped[str] = mapped_column(ForeignKey("grid_row.id"))
    # The rule that added it (a plain id: history outlives a purged rule).
    rule_id: Mapped[str | None] = mapped_column(String(36))
