"""Which agent sessions were served text from outside the fund (crm_api.security.taint)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.database import Base


class AgentSession(Base):
    """One row per (API key, MCP session) once it has read untrusted text; never cleared."""

    __tablename__ = "agent_session"

    api_key_id: Mapped[str] = mapped_column(ForeignKey("api_key.id"), primary_key=True)
    # The gateway's X-MCP-Session, or "" for a key calling without one.
    session_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    tainted_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(100))
