"""The live feed's WebSocket (`/api/grid/live`), and presence and locks over plain HTTP.

Authentication: browsers cannot set headers on a WebSocket. The app signed in with a cookie
(crm_api.auth.browser) is authenticated by that cookie on the handshake, but only when the
handshake's Origin is this server: a browser sends cookies with a WebSocket handshake from any
page, and no CORS stops another site reading the feed (cross-site WebSocket hijacking). Other
browser clients send the session token (or an API key) as the first frame, never in the URL, where
proxies and access logs would keep it. Clients that can set headers may send Authorization or
X-API-Key on the handshake instead, and those win over a cookie. The credentials are checked
again every minute: a signed-out session or a revoked key is disconnected (close 4401). Reading
the feed needs read access; taking a cell lock needs write access.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, WebSocket, WebSocketDisconnect
from pydantic import TypeAdapter, ValidationError

from crm_api.auth import browser
from crm_api.auth import service as auth
from crm_api.auth.dependencies import ACCESS_ATTR, Reader
from crm_api.auth.errors import NotAuthenticated
from crm_api.auth.principal import Access, Principal
from crm_api.auth.tokens import decode_token
from crm_api.collab.connection import Connection
from crm_api.collab.hub import GridHub
from crm_api.collab.schemas import (
    Auth,
    ClientMessage,
    LiveState,
    Lock,
    Ping,
    Presence,
    Subscribe,
    Unlock,
)
from crm_common.db import Database
from crm_common.errors import CRMError

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/grid", tags=["grid live"])

AUTH_TIMEOUT = 10.0
RECHECK_EVERY = 60.0
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_UNAVAILABLE = 1013
CLOSE_POLICY = 1008
# A client moving its cursor sends a presence frame per cell, a few a second; far beyond that it
# is misbehaving (every presence and lock frame is a write to NATS).
MAX_FRAMES_PER_SECOND = 50
_MESSAGES: TypeAdapter[Any] = TypeAdapter(ClientMessage)


async def _declared_read() -> None:
    """Declares the WebSocket's access (read); the handler authenticates the first frame."""


setattr(_declared_read, ACCESS_ATTR, Access.READ)


def _principal(app: FastAPI, *, token: str | None, api_key: str | None) -> Principal:
    """Raises CRMError (401) for missing or unusable credentials."""
    db: Database = app.state.db
    config: auth.AuthConfig = app.state.auth
    with db.session() as session:
        if api_key:
            return auth.principal_from_api_key(session, key=api_key)[0]
        if token:
            claims = decode_token(
                token,
                key=config.signing_key,
                audience=config.settings.jwt_audience,
                issuer=config.settings.jwt_issuer,
            )
            return auth.principal_from_token(session, claims=claims)[0]
    raise NotAuthenticated("send {type: auth, token} first")


def _handshake_credentials(websocket: WebSocket) -> tuple[str | None, str | None]:
    """Authorization or X-API-Key, else the session cookie of a page of this server's own.

    Raises:
        NotAuthenticated: a session cookie sent from another origin's page, or with no Origin.
    """
    header = websocket.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    cookie = browser.session_cookie(websocket)
    if cookie is None:
        return token, websocket.headers.get("x-api-key")
    config: auth.AuthConfig = websocket.app.state.auth
    origin = websocket.headers.get("origin")
    if origin is None or not browser.is_same_origin(
        origin, websocket, behind_tls=config.settings.behind_tls
    ):
        raise NotAuthenticated("the session cookie counts only from this server's own pages")
    return cookie, None


async def _authenticate(websocket: WebSocket) -> tuple[Principal, tuple[str | None, str | None]]:
    token, api_key = _handshake_credentials(websocket)
    if not token and not api_key:
        raw = await asyncio.wait_for(websocket.receive_text(), AUTH_TIMEOUT)
        message = Auth.model_validate_json(raw)
        token, api_key = message.token, message.api_key
    principal = await asyncio.to_thread(_principal, websocket.app, token=token, api_key=api_key)
    return principal, (token, api_key)


def _error(message: str, **extra: Any) -> str:
    return json.dumps({"type": "error", "detail": message, **extra})


async def _send_loop(websocket: WebSocket, connection: Connection) -> None:
    while True:
        text = await connection.queue.get()
        if text is None:
            await websocket.close(code=CLOSE_UNAVAILABLE if connection.overflowed else 1000)
            return
        await websocket.send_text(text)


async def _keep_alive(
    websocket: WebSocket,
    hub: GridHub,
    connection: Connection,
    credentials: tuple[str | None, str | None],
) -> None:
    """Refresh the connection's presence before it expires, and re-check its credentials."""
    interval = max(0.5, hub.presence_ttl / 3)
    since_check = 0.0
    while True:
        await asyncio.sleep(interval)
        since_check += interval
        if since_check >= RECHECK_EVERY:
            since_check = 0.0
            try:
                await asyncio.to_thread(
                    _principal, websocket.app, token=credentials[0], api_key=credentials[1]
                )
            except CRMError:
                await websocket.close(code=CLOSE_UNAUTHENTICATED)
                return
        with contextlib.suppress(Exception):
            await hub.publish_presence(connection)


async def _handle(hub: GridHub, connection: Connection, message: Any) -> None:
    if isinstance(message, Subscribe):
        connection.view_id = message.view_id
        hub._push(connection, json.dumps(hub.state()))
        await hub.publish_presence(connection)
        await hub.catch_up(connection, message.since)
    elif isinstance(message, Presence):
        connection.view_id = message.view_id
        connection.cell = message.cell.model_dump() if message.cell else None
        await hub.publish_presence(connection)
    elif isinstance(message, Lock):
        if not connection.principal.may(Access.WRITE):
            hub._push(connection, _error("taking a lock needs write access", status=403))
            return
        ok, lock = await hub.acquire(
            connection, row_id=message.row_id, column=message.column, ttl=message.ttl
        )
        hub._push(connection, json.dumps({"type": "lock_result", "ok": ok, "lock": lock}))
    elif isinstance(message, Unlock):
        released = await hub.release(connection, row_id=message.row_id, column=message.column)
        hub._push(connection, json.dumps({"type": "unlock_result", "ok": released}))
    elif isinstance(message, Ping):
        hub._push(connection, json.dumps({"type": "pong", "seq": hub.seq}))


@router.websocket("/live", dependencies=[Depends(_declared_read)])
async def grid_live(websocket: WebSocket) -> None:
    """Every change of the grid, presence and cell locks, across every crm-api instance."""
    hub: GridHub = websocket.app.state.grid_hub
    await websocket.accept()
    try:
        principal, credentials = await _authenticate(websocket)
    except (TimeoutError, ValidationError, CRMError, WebSocketDisconnect):
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await websocket.send_text(_error("authenticate first: {type: auth, token}", status=401))
            await websocket.close(code=CLOSE_UNAUTHENTICATED)
        return
    if not principal.may(Access.READ):
        await websocket.close(code=CLOSE_FORBIDDEN)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(hub.ready.wait(), 5.0)
    if not hub.is_ready:
        await websocket.send_text(_error("the live feed is not connected to NATS yet", status=503))
        await websocket.close(code=CLOSE_UNAVAILABLE)
        return
    connection = hub.connect(principal, websocket.send_text)
    hub._push(
        connection,
        json.dumps(
            {
                "type": "ready",
                "connection_id": connection.id,
                "instance": hub.instance,
                "seq": hub.seq,
                "user": {"id": principal.user_id, "name": principal.name, "kind": principal.kind},
            }
        ),
    )
    sender = asyncio.create_task(_send_loop(websocket, connection))
    keeper = asyncio.create_task(_keep_alive(websocket, hub, connection, credentials))
    loop = asyncio.get_running_loop()
    window, frames = loop.time(), 0
    try:
        while True:
            raw = await websocket.receive_text()
            frames += 1
            if loop.time() - window >= 1.0:
                window, frames = loop.time(), 1
            if frames > MAX_FRAMES_PER_SECOND:
                await websocket.send_text(_error("too many frames; slow down", status=429))
                await websocket.close(code=CLOSE_POLICY)
                break
            try:
                message = _MESSAGES.validate_json(raw)
            except ValidationError as exc:
                hub._push(
                    connection,
                    _error(
                        "not a message of this protocol",
                        status=422,
                        errors=exc.errors(
                            include_url=False, include_context=False, include_input=False
                        ),
                    ),
                )
                continue
            await _handle(hub, connection, message)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        for task in (sender, keeper):
            task.cancel()
        for task in (sender, keeper):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await hub.disconnect(connection)


@router.get("/live/state", response_model=LiveState, summary="Who is where, and the cell locks")
async def live_state(_: Reader, request: Request) -> LiveState:
    """Presence and cell locks across every instance (this instance's mirror of the buckets)."""
    hub: GridHub = request.app.state.grid_hub
    return LiveState.model_validate(
        {
            "available": hub.is_ready,
            "seq": hub.seq,
            "presence": list(hub.presence.values()),
            "locks": list(hub.locks.values()),
        }
    )
