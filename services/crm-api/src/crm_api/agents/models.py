"""A held agent action and the entities it concerns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.database import Base
from crm_api.kit.models import AggregateMixin


class Proposal(AggregateMixin, Base):
    __tablename__ = "proposal"
    __table_args__ = (
        Index("ix_proposal_status", "status", "created_at"),
        Index("ix_proposal_api_key", "api_key_id", "created_at"),
        Index("ix_proposal_proposed_by", "proposed_by_id", "created_at"),
        Index("ix_proposal_created_at", "created_at"),
        Index("ix_proposal_updated_at", "updated_at"),
    )

    action: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    evidence: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(16))
    untrusted: Mapped[bool] = mapped_column(Boolean)
    why: Mapped[str] = mapped_column(String(32))
    proposed_by_kind: Mapped[str] = mapped_column(String(16))
    proposed_by_id: Mapped[str] = mapped_column(String(64))
    proposed_by_name: Mapped[str | None] = mapped_column(String(200))
    api_key_id: Mapped[str | None] = mapped_column(ForeignKey("api_key.id"))
    session_id: Mapped[str | None] = mapped_column(String(100))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(String(2000))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The changes the action would have made when it was proposed, for the person deciding.
    preview: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class ProposalEntity(Base):
    """Each entity a proposal names (its target and its evidence), for listing by entity."""

    __tablename__ = "proposal_entity"
    __table_args__ = (Index("ix_proposal_entity_entity", "entity_type", "entity_id"),)

    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposal.id"), primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
