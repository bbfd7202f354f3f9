from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.database import Base, IdMixin, TimestampMixin


class CustomField(IdMixin, TimestampMixin, Base):
    """One admin-defined field of an entity. Its key, entity and type never change; retiring it
    (`is_active` false) stops new values and keeps the ones records have."""

    __tablename__ = "custom_field"
    __table_args__ = (
        Index("uq_custom_field_entity_key", "entity", "key", unique=True),
        Index("ix_custom_field_entity_position", "entity", "position"),
        CheckConstraint(
            "entity IN ('contact', 'organization', 'opportunity')", name="entity_known"
        ),
    )

    entity: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))
    options: Mapped[list[Any]] = mapped_column(JSON, default=list)
    is_required: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
