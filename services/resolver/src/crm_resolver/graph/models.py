from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_resolver.database import Base
from crm_resolver.sources.models import KIND, SOURCE_ID

_BigId = BigInteger().with_variant(Integer(), "sqlite")


class RelationEvidence(Base):
    """One record behind a relation between two nodes (source records or team members).

    Evidence joins records, not entities: which entities are related follows from where the
    records are linked, so merges, splits and undos never rewrite the graph. `origin` is the
    record that asserts it (a communication, an email, a contact's affiliation list); a change
    of the origin replaces all its evidence, a delete removes it.
    """

    __tablename__ = "relation_evidence"

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    origin_kind: Mapped[str] = mapped_column(KIND)
    origin_id: Mapped[str] = mapped_column(SOURCE_ID)
    edge_kind: Mapped[str] = mapped_column(String(16))
    a_kind: Mapped[str] = mapped_column(KIND)
    a_id: Mapped[str] = mapped_column(SOURCE_ID)
    b_kind: Mapped[str] = mapped_column(KIND)
    b_id: Mapped[str] = mapped_column(SOURCE_ID)
    occurred_at: Mapped[datetime | None] = mapped_column()
    weight: Mapped[float] = mapped_column(Float)
    detail: Mapped[str] = mapped_column(String(300), default="")

    __table_args__ = (
        Index("ix_relation_evidence_origin", "origin_kind", "origin_id"),
        Index("ix_relation_evidence_a", "a_kind", "a_id"),
        Index("ix_relation_evidence_b", "b_kind", "b_id"),
    )
