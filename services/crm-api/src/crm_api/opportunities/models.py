from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_api.database import Base
from crm_api.kit.models import AggregateMixin
from crm_api.tags.models import Tag, link_table

_LIVE = text("deleted_at IS NULL")


opportunity_tag = link_table("opportunity")


class Opportunity(AggregateMixin, Base):
    __tablename__ = "opportunity"
    __table_args__ = (
        # One live opportunity per investor and fund. A row whose investor column is NULL never
        # collides (NULLs are distinct in a unique index), so each kind of investor has its own.
        Index(
            "uq_opportunity_organization_fund_live",
            "investor_organization_id",
            "fund_id",
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        ),
        Index(
            "uq_opportunity_contact_fund_live",
            "investor_contact_id",
            "fund_id",
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        ),
        Index("ix_opportunity_fund_id", "fund_id"),
        Index("ix_opportunity_owner_id", "owner_id"),
        Index("ix_opportunity_stage", "stage"),
        Index("ix_opportunity_updated_at", "updated_at"),
        Index("ix_opportunity_created_at", "created_at"),
        CheckConstraint(
            "(investor_organization_id IS NULL) <> (investor_contact_id IS NULL)",
            name="one_investor",
        ),
        CheckConstraint("expected_amount >= 0", name="expected_amount_not_negative"),
        CheckConstraint("committed_amount >= 0", name="committed_amount_not_negative"),
        CheckConstraint("funded_amount >= 0", name="funded_amount_not_negative"),
    )

    investor_organization_id: Mapped[str | None] = mapped_column(ForeignKey("organization.id"))
    investor_contact_id: Mapped[str | None] = mapped_column(ForeignKey("contact.id"))
    fund_id: Mapped[str] = mapped_column(ForeignKey("fund.id"))
    stage: Mapped[str] = mapped_column(String(64))
    expected_amount: Mapped[Decimal | None] = mapped_column(Numeric(20, 2, asdecimal=True))
    committed_amount: Mapped[Decimal | None] = mapped_column(Numeric(20, 2, asdecimal=True))
    funded_amount: Mapped[Decimal | None] = mapped_column(Numeric(20, 2, asdecimal=True))
    currency: Mapped[str] = mapped_column(String(3))
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    next_step: Mapped[str] = mapped_column(Text, default="")
    lost_reason: Mapped[str | None] = mapped_column(String(500))
    close_date: Mapped[date | None]
    description: Mapped[str] = mapped_column(Text, default="")
    # Custom field key -> value, checked by crm_api.custom_fields on every write.
    custom_fields: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )

    tags: Mapped[list[Tag]] = relationship(secondary=opportunity_tag, lazy="selectin")
