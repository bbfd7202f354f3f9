from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.database import Base
from crm_api.kit.models import AggregateMixin


class FeatureRequest(AggregateMixin, Base):
    __tablename__ = "feature_request"
    __table_args__ = (
        Index("ix_feature_request_status", "status"),
        Index("ix_feature_request_requested_by", "requested_by"),
        Index("ix_feature_request_created_at", "created_at"),
        Index("ix_feature_request_updated_at", "updated_at"),
        CheckConstraint(
            "status IN ('open', 'planned', 'in_progress', 'done', 'declined')",
            name="status_known",
        ),
        CheckConstraint("priority IN ('low', 'medium', 'high')", name="priority_known"),
    )

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(8))
    # The user who asked: the signed-in user, or the owner of the key that made the request.
    requested_by: Mapped[str] = mapped_column(ForeignKey("user_account.id"))
