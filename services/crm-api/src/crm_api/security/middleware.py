"""ASGI middleware: request ids, the body size limit, security headers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_common import logging as crm_logging
from crm_common.errors import PROBLEM_JSON, PayloadTooLarge
from crm_common.ids import new_id_str

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class RequestContext:
    """Gives each request an id (a sane X-Request-ID, or a new one) for logs and replies."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _REQUEST_ID.match(incoming) else new_id_str()
        token = crm_logging.request_id.set(rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", rid.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            crm_logging.request_id.reset(token)


class BodyLimit:
    """Refuses bodies over `max_bytes` with 413, by Content-Length or by counting the stream.

    `large_paths` gives a path (exactly as routed, e.g. "/api/import/contacts") its own limit.
    """

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, large_paths: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.large_paths = dict(large_paths or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.large_paths.get(scope.get("path", ""), self.max_bytes)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await self._refuse(scope, send, limit)
            return
        if length is not None:
            # A declared length within the limit: the server stops reading at that length.
            await self.app(scope, receive, send)
            return
        # No length (chunked): read the body here, up to the limit, then hand it on.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message, receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(scope, send, limit)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        await self.app(scope, _replay(chunks, None, receive), send)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        problem = PayloadTooLarge(f"the body exceeds {limit} bytes").to_problem(
            instance=scope.get("path")
        )
        body = problem.model_dump_json(exclude_none=True).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _replay(chunks: list[bytes], final: Message | None, receive: Receive) -> Receive:
    """A `receive` that hands out an already-read body, then what the client really sends next
    (a streaming response listens for the client's disconnect there)."""
    pending: list[Message] = [
        {"type": "http.request", "body": b"".join(chunks), "more_body": False}
    ]
    if final is not None:
        pending = [final]

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


class SecurityHeaders:
    """CSP with frame-ancestors, nosniff, no referrer, and HSTS when behind TLS."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.headers: list[tuple[bytes, bytes]] = [
            (b"content-security-policy", CSP.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if hsts:
            self.headers.append(
                (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing: list[Any] = message.setdefault("headers", [])
                names = {name.lower() for name, _ in existing}
                existing.extend(h for h in self.headers if h[0] not in names)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ContentTrust:
    """Adds `X-Content-Trust: untrusted` to an answer whose route served an API key text from
    outside the fund (crm_api.security.dependencies sets it on the request's state)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_with_trust(message: Message) -> None:
            if message["type"] == "http.response.start" and state.get("content_trust"):
                message.setdefault("headers", []).append(
                    (b"x-content-trust", str(state["content_trust"]).encode())
                )
            await send(message)

        await self.app(scope, receive, send_with_trust)
