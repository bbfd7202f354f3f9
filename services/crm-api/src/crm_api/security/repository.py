from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crm_api.database import utcnow
from crm_api.security.models import AgentSession


def get_taint(session: Session, *, api_key_id: str, session_id: str) -> AgentSession | None:
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
