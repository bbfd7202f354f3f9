from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_api.database import Base
from crm_api.kit.models import AggregateMixin


class Communication(AggregateMixin, Base):
    __tablename__ = "communication"
    __table_args__ = (
        CheckConstraint(
            "contact_id IS NOT NULL OR organization_id IS NOT NULL",
            name="on_contact_or_organization",
        ),
        Index("ix_communication_contact", "contact_id", "occurred_at"),
        Index("ix_communication_organization", "organization_id", "occurred_at"),
        Index("ix_communication_opportunity", "opportunity_id"),
        Index("ix_communication_occurred_at", "occurred_at"),
        Index("ix_communication_updated_at", "updated_at"),
    )

    type: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime]
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contact.id"))
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organization.id"))
    opportunity_id: Mapped[str | None] = mapped_column(ForeignKey("opportunity.id"))
    outcome: Mapped[str | None] = mapped_column(String(500))
    next_action: Mapped[str | None] = mapped_column(String(500))
    next_action_due: Mapped[date | None]

    attendees: Mapped[list[CommunicationAttendee]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CommunicationAttendee.contact_id"
    )


class CommunicationAttendee(Base):
    """A contact who took part (a meeting's attendees, a call's participants)."""

    __tablename__ = "communication_attendee"
    __table_args__ = (Index("ix_communication_attendee_contact", "contact_id"),)

    communication_id: Mapped[str] = mapped_column(
        ForeignKey("communication.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[str] = mapped_column(ForeignKey("contact.id"), primary_key=True)
