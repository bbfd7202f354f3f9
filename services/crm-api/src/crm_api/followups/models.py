from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.database import Base
from crm_api.kit.models import AggregateMixin


class FollowUp(AggregateMixin, Base):
    __tablename__ = "follow_up"
    __table_args__ = (
        Index("ix_follow_up_open_due", "status", "due_date"),
        Index("ix_follow_up_owner", "owner_id", "status", "due_date"),
        # A dossier's open follow-ups by due date come straight off these.
        Index("ix_follow_up_contact_open", "contact_id", "status", "due_date"),
        Index("ix_follow_up_organization_open", "organization_id", "status", "due_date"),
        Index("ix_follow_up_opportunity", "opportunity_id"),
        Index("ix_follow_up_updated_at", "updated_at"),
        Index("ix_follow_up_created_at", "created_at"),
    )

    title: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date]
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(16), default="open")
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(64))
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contact.id"))
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organization.id"))
    opportunity_id: Mapped[str | None] = mapped_column(ForeignKey("opportunity.id"))
    communication_id: Mapped[str | None] = mapped_column(ForeignKey("communication.id"))
