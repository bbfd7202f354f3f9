"""Who is calling: the agent's key, what crm-api says it may do, and its MCP session.

The key's scopes decide which tools `tools/list` shows and which calls the gateway lets through;
crm-api checks them again on every request, so a stale answer here can hide or show a tool for
at most `identity_ttl_seconds`, never grant anything. The key itself is kept only in memory for
the request it came with, and is never logged: the cache is keyed by its SHA-256.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass, field

from mcp_gateway.crm import CrmApi

READ = "read"
WRITE_LOGGED = "write:logged"
ADMIN = "admin"
READ_SENSITIVE = "read:sensitive"


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class KeyInfo:
    """What crm-api's `GET /api/auth/key` says about a key."""

    id: str | None
    name: str | None
    scopes: frozenset[str]
    allow_untrusted_writes: bool = False
    rate_limit_per_minute: int | None = None

    def may(self, scope: str) -> bool:
        return ADMIN in self.scopes or scope in self.scopes


@dataclass(frozen=True)
class Caller:
    key: str = field(repr=False)
    session_id: str
    info: KeyInfo

    @property
    def key_digest(self) -> str:
        return key_digest(self.key)


class KeyDirectory:
    """Looks keys up in crm-api and remembers the answer for a short while."""

    def __init__(self, crm: CrmApi, *, ttl_seconds: float) -> None:
        self._crm = crm
        self._ttl = ttl_seconds
        self._known: dict[str, tuple[float, KeyInfo]] = {}
        self._lock = asyncio.Lock()

    async def lookup(self, key: str, *, session_id: str) -> KeyInfo:
        """The key's scopes and limits.

        Raises:
            Denied: crm-api does not accept the key (unknown, revoked, expired).
            Unavailable: crm-api cannot be reached.
        """
        digest = key_digest(key)
        now = time.monotonic()
        cached = self._known.get(digest)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        async with self._lock:
            info = await self._fetch(key, session_id=session_id)
            self._known[digest] = (time.monotonic(), info)
            if len(self._known) > 10_000:  # bounded: one entry per live key is the normal case
                oldest = min(self._known, key=lambda d: self._known[d][0])
                del self._known[oldest]
        return info

    def forget(self, key: str) -> None:
        self._known.pop(key_digest(key), None)

    async def _fetch(self, key: str, *, session_id: str) -> KeyInfo:
        body = await self._crm.get("/api/auth/key", key=key, session_id=session_id)
        rate = body.get("rate_limit_per_minute")
        return KeyInfo(
            id=body.get("id"),
            name=body.get("name"),
            scopes=frozenset(body.get("scopes") or ()),
            allow_untrusted_writes=bool(body.get("allow_untrusted_writes", False)),
            rate_limit_per_minute=int(rate) if rate is not None else None,
        )


__all__ = ["Caller", "KeyDirectory", "KeyInfo", "key_digest"]
