"""Holding requests off while a restore runs.

`MaintenanceGate` is ASGI middleware: while closed, every HTTP request but the health check is
answered 503 (with Retry-After); requests already running are let finish first. A restore closes
it, waits for the requests in flight (its own aside), restores, and opens it again.
"""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Receive, Scope, Send

from crm_common.errors import PROBLEM_JSON

HEALTH = "/api/health"


class Gate:
    def __init__(self) -> None:
        self.closed = False
        self.active = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def enter(self) -> None:
        self.active += 1
        if self.active > 1:
            self._idle.clear()

    def leave(self) -> None:
        self.active -= 1
        if self.active <= 1:
            self._idle.set()

    async def close(self, *, within: float = 30.0) -> bool:
        """Close, and wait (up to `within` seconds) until only the caller's own request is in
        flight; reopens and returns False if they do not finish in time."""
        self.closed = True
        try:
            async with asyncio.timeout(within):
                while self.active > 1:
                    await self._idle.wait()
                    await asyncio.sleep(0)
        except TimeoutError:
            self.closed = False
            return False
        return True

    def open(self) -> None:
        self.closed = False


class MaintenanceGate:
    def __init__(self, app: ASGIApp, *, gate: Gate) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") == HEALTH:
            await self.app(scope, receive, send)
            return
        if self.gate.closed:
            body = json.dumps(
                {
                    "type": "urn:lp-crm:problem:maintenance",
                    "title": "A restore is running; try again in a moment",
                    "status": 503,
                }
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [
                        (b"content-type", PROBLEM_JSON.encode()),
                        (b"retry-after", b"5"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        self.gate.enter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.gate.leave()
