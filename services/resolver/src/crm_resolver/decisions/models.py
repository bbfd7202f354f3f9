from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.ids import new_id_str
from crm_resolver.database import Base, utcnow
from crm_resolver.sources.models import KIND, SOURCE_ID

_BigId = BigInteger().with_variant(Integer(), "sqlite")


class Decision(Base):
    """A merge, split, rejection or undo: who (a person, or a rule), when, why, on what evidence,
    and (in `decision_move`) every link it moved, so that it can be undone exactly."""

    __tablename__ = "decision"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id_str)
    kind: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str] = mapped_column(String(100))
    actor: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(2000), default="")
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    entity_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    undoes: Mapped[str | None] = mapped_column(ForeignKey("decision.id"))
    undone_by: Mapped[str | None] = mapped_column(ForeignKey("decision.id"))


class DecisionMove(Base):
    __tablename__ = "decision_move"

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decision.id"), index=True)
    source_kind: Mapped[str] = mapped_column(KIND)
    source_id: Mapped[str] = mapped_column(SOURCE_ID)
    from_entity: Mapped[str] = mapped_column(String(36))
    to_entity: Mapped[str] = mapped_column(String(36))
    # How the link came to be where it was before the move, restored by an undo.
    prev_match_kind: Mapped[str] = mapped_column(String(32))
    prev_confidence: Mapped[float] = mapped_column(Float)
    prev_decided_by: Mapped[str] = mapped_column(String(100))


class DecisionEntity(Base):
    """Which entities a decision touched, for `resolver.decisions` by entity."""

    __tablename__ = "decision_entity"

    decision_id: Mapped[str] = mapped_column(ForeignKey("decision.id"), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)


class PairConstraint(Base):
    """Two records a person said are not one entity (a rejection, a split): no rule joins them
    while it is active. Undoing its decision deactivates it."""

    __tablename__ = "pair_constraint"

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    left_kind: Mapped[str] = mapped_column(KIND)
    left_id: Mapped[str] = mapped_column(SOURCE_ID)
    right_kind: Mapped[str] = mapped_column(KIND)
    right_id: Mapped[str] = mapped_column(SOURCE_ID)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decision.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        Index("ix_pair_constraint_left", "left_kind", "left_id"),
        Index("ix_pair_constraint_right", "right_kind", "right_id"),
    )
