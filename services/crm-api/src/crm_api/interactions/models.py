from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.database import Base

_Seq = BigInteger().with_variant(Integer(), "sqlite")


class InteractionLog(Base):
    """Append-only: database triggers refuse UPDATE and DELETE (see the migration)."""

    __tablename__ = "interaction_log"
    __table_args__ = (
        Index("ix_interaction_log_actor", "actor_id", "seq"),
        Index("ix_interaction_log_at", "at"),
        Index("ix_interaction_log_action", "action", "seq"),
        Index("ix_interaction_log_session", "session_id", "seq"),
    )

    seq: Mapped[int] = mapped_column(_Seq, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(2000))
    targets: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    payload_digest: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32))
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    flags: Mapped[list[str]] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(64))
    # The agent's MCP session (X-MCP-Session), for reading one session's calls together.
    session_id: Mapped[str | None] = mapped_column(String(100))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class InteractionTarget(Base):
    """Which entities an interaction touched, for reading the log by entity."""

    __tablename__ = "interaction_target"
    __table_args__ = (Index("ix_interaction_target_entity", "entity_type", "entity_id", "seq"),)

    seq: Mapped[int] = mapped_column(ForeignKey("interaction_log.seq"), primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
