"""One WebSocket client of the grid's live feed on this instance: what it sees, and the queue of
messages waiting for it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from crm_api.auth.principal import Principal

QUEUE_LIMIT = 5_000  # a client this far behind is disconnected (it reconnects and catches up)

Send = Callable[[str], Awaitable[None]]


@dataclass
class Connection:
    """One WebSocket client of this instance."""

    id: str
    principal: Principal
    send: Send
    queue: asyncio.Queue[str | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    last_seq: int = 0
    replaying: bool = False
    buffer: list[tuple[int, str]] = field(default_factory=list)
    view_id: str | None = None
    cell: dict[str, str] | None = None
    subscribed: bool = False
    overflowed: bool = False

    def sees(self, event: dict[str, Any]) -> bool:
        """Personal views are their owner's; rules are the admins'."""
        aggregate = event["type"].split(".")[1]
        data = event.get("data") or {}
        if aggregate == "grid_view" and "owner_id" in data:
            return bool(data.get("is_shared")) or data.get("owner_id") == self.principal.user_id
        if aggregate == "grid_rule":
            return self.principal.is_admin
        return True
