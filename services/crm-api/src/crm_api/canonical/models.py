"""The canonical ids the resolver assigned, as crm-api last heard them (`resolver.entity.*`).

Kept beside the records, never in them: stamping a canonical id is not a change of the contact,
so it bumps no version and publishes no `crm.*` event (which would make the resolver publish
again, forever). Reads and dossiers join it in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.database import Base


class CanonicalEntity(Base):
    __tablename__ = "canonical_entity"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    merged_into: Mapped[str | None] = mapped_column(String(36))
    display_name: Mapped[str] = mapped_column(String(400))
    is_lp: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column()


class CanonicalLink(Base):
    """A source record listed by an entity. While events are in flight two entities may list
    one record; the later `decided_at` is where it is."""

    __tablename__ = "canonical_link"

    source_kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(320), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    match_kind: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column()

    __table_args__ = (Index("ix_canonical_link_entity_id", "entity_id"),)
