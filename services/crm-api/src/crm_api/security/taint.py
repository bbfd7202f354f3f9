"""Untrusted-session taint, decided by crm-api from what it served.

Text from outside the fund (a communication's subject and body, an email's words, a search
snippet) may carry instructions meant for the agent that reads it (prompt injection). Once an API
key, in one MCP session (`X-MCP-Session`, or none), has been served such text, its session is
tainted for good: its writes become proposals unless the key has `allow_untrusted_writes`.

A session is marked once: each process remembers the sessions it has marked (`SessionTaints`),
and the database row is inserted with ON CONFLICT DO NOTHING, so replicas need no coordination.
"""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session

from crm_api.security import repository
from crm_api.security.models import AgentSession
from crm_common.db import Database

TRUST_HEADER = "X-Content-Trust"
_REMEMBERED = 100_000


class SessionTaints:
    """The (api_key_id, session_id) pairs this process has already written as tainted."""

    def __init__(self) -> None:
        self._known: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def mark(self, db: Database, *, api_key_id: str, session_id: str, source: str) -> None:
        """Record the taint, unless this process already has."""
        pair = (api_key_id, session_id)
        with self._lock:
            if pair in self._known:
                return
        with db.transaction() as session:
            repository.mark_tainted(
                session, api_key_id=api_key_id, session_id=session_id, source=source
            )
        with self._lock:
            if len(self._known) >= _REMEMBERED:
                # Forgetting costs one more idempotent insert, never a missed taint.
                self._known.clear()
            self._known.add(pair)


def find(session: Session, *, api_key_id: str, mcp_session: str | None) -> AgentSession | None:
    """The taint of the key's MCP session (none: the key calling without one), if it has one."""
    return repository.get_taint(session, api_key_id=api_key_id, session_id=mcp_session or "")
