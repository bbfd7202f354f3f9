from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_api.database import Base
from crm_api.kit.models import AggregateMixin

_LIVE = text("deleted_at IS NULL")


class LpProfile(AggregateMixin, Base):
    __tablename__ = "lp_profile"
    __table_args__ = (
        CheckConstraint("(contact_id IS NULL) <> (organization_id IS NULL)", name="one_investor"),
        Index(
            "uq_lp_profile_contact_live",
            "contact_id",
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        ),
        Index(
            "uq_lp_profile_organization_live",
            "organization_id",
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        ),
        Index("ix_lp_profile_updated_at", "updated_at"),
        Index("ix_lp_profile_created_at", "created_at"),
    )

    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contact.id"))
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organization.id"))
    investor_type: Mapped[str] = mapped_column(String(64))
    legal_docs_signed_on: Mapped[date | None]
    wire_received_on: Mapped[date | None]
    accreditation_status: Mapped[str] = mapped_column(String(32), default="not_verified")
    accreditation_method: Mapped[str | None] = mapped_column(String(64))
    accreditation_verified_on: Mapped[date | None]
    accreditation_expires_on: Mapped[date | None]
    qualified_purchaser: Mapped[str] = mapped_column(String(16), default="unknown")
    offering_exemption: Mapped[str | None] = mapped_column(String(8))
    kyc_aml_status: Mapped[str] = mapped_column(String(32), default="not_started")
    notes: Mapped[str] = mapped_column(Text, default="")

    k1_deliveries: Mapped[list[K1Delivery]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="K1Delivery.tax_year"
    )


class K1Delivery(Base):
    """A Schedule K-1 sent to the LP for one tax year."""

    __tablename__ = "k1_delivery"

    lp_profile_id: Mapped[str] = mapped_column(
        ForeignKey("lp_profile.id", ondelete="CASCADE"), primary_key=True
    )
    tax_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_on: Mapped[date]
    is_amended: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(String(500))
