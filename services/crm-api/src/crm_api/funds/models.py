from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, Index, Integer, Numeric, String, func, text
from sqlalchemy.orm import Mapped, column_property, mapped_column

from crm_api.database import Base
from crm_api.kit.models import AggregateMixin


class Fund(AggregateMixin, Base):
    __tablename__ = "fund"
    __table_args__ = (
        # One live fund per name, whatever its case; a deleted fund frees its name.
        Index(
            "uq_fund_name_key_live",
            "name_key",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index("ix_fund_position", "position"),
        Index("ix_fund_updated_at", "updated_at"),
        Index("ix_fund_created_at", "created_at"),
        CheckConstraint("vintage BETWEEN 1900 AND 2200", name="vintage_range"),
        CheckConstraint("target_size >= 0", name="target_size_not_negative"),
    )

    name: Mapped[str] = mapped_column(String(200))
    # name.casefold(), kept by the service: Unicode-aware where SQLite's lower() is ASCII-only,
    # and a plain column, so the unique index needs no expression (casefold at most triples).
    name_key: Mapped[str] = mapped_column(String(600))
    vintage: Mapped[int | None] = mapped_column(Integer)
    target_size: Mapped[Decimal | None] = mapped_column(Numeric(20, 2, asdecimal=True))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)

    # The vintage as a keyset sort key: a cursor cannot step past NULLs, so funds without a
    # vintage sort as year 0 (first ascending, last descending).
    vintage_order: Mapped[int] = column_property(func.coalesce(vintage, 0))
