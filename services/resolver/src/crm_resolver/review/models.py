from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.ids import new_id_str
from crm_resolver.database import Base, utcnow
from crm_resolver.sources.models import KIND, SOURCE_ID


class ReviewItem(Base):
    """Two entities the model finds possibly one: between the review and auto-link thresholds.

    The entity ids are those at proposal time; reads follow merges to the current ones.
    `pair_key` (the two records, sorted) keeps one item per record pair whatever its status, so a
    rejected pair is never proposed again.
    """

    __tablename__ = "review_item"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id_str)
    status: Mapped[str] = mapped_column(String(16), default="open")
    pair_key: Mapped[str] = mapped_column(String(700), unique=True)
    left_entity: Mapped[str] = mapped_column(String(36), index=True)
    right_entity: Mapped[str] = mapped_column(String(36), index=True)
    left_kind: Mapped[str] = mapped_column(KIND)
    left_id: Mapped[str] = mapped_column(SOURCE_ID)
    right_kind: Mapped[str] = mapped_column(KIND)
    right_id: Mapped[str] = mapped_column(SOURCE_ID)
    probability: Mapped[float] = mapped_column(Float)
    pair: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decision_id: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str | None] = mapped_column(String(2000))

    __table_args__ = (Index("ix_review_item_status_probability", "status", "probability"),)
