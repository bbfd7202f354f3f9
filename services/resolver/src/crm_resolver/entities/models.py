from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.ids import new_id_str
from crm_resolver.database import Base, utcnow
from crm_resolver.sources.models import KIND, SOURCE_ID


class Entity(Base):
    """A canonical person or organization. `version` counts its published states (0: not yet
    published); `state_hash` is the last published state, so an unchanged entity publishes
    nothing."""

    __tablename__ = "entity"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id_str)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="active")
    merged_into: Mapped[str | None] = mapped_column(ForeignKey("entity.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(400), default="")
    is_lp: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=0)
    state_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class EntityLink(Base):
    """A source record's place: which entity it belongs to, and how it came there."""

    __tablename__ = "entity_link"

    source_kind: Mapped[str] = mapped_column(KIND, primary_key=True)
    source_id: Mapped[str] = mapped_column(SOURCE_ID, primary_key=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entity.id"), index=True)
    match_kind: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
