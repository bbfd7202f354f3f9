from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crm_api.agents.models import AgentSession
from crm_api.database import utcnow


def live_ids(session: Session, model: Any, ids: set[str]) -> set[str]:
    """Which of `ids` are live records of `model`."""
    query = select(model.id).where(model.id.in_(ids))
    if hasattr(model, "deleted_at"):
        query = query.where(model.deleted_at.is_(None))
    return set(session.scalars(query))


def get_session(session: Session, *, api_key_id: str, session_id: str) -> AgentSession | None:
    return session.get(AgentSession, (api_key_id, session_id))


def mark_tainted(session: Session, *, api_key_id: str, session_id: str, source: str) -> None:
    """Insert the row unless it is there: the first source and time are kept. Replicas racing to
    mark the same session both succeed (ON CONFLICT DO NOTHING on either database)."""
    values = {
        "api_key_id": api_key_id,
        "session_id": session_id,
        "tainted_at": utcnow(),
        "source": source,
    }
    insert = (
        postgresql.insert(AgentSession)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(AgentSession)
    )
    session.execute(insert.values(**values).on_conflict_do_nothing())
