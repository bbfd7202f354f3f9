"""The live feed's protocol on one instance (the in-process test client, a real nats-server)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from api_helpers import browser_sign_in, create_key, register_admin
from fastapi import FastAPI
from fastapi.testclient import TestClient
from grid_helpers import funds, org_row
from starlette.websockets import WebSocketDisconnect

from crm_common.natsd import NatsServer


@pytest.fixture
def live(make_app: Callable[..., FastAPI], nats_server: NatsServer) -> Iterator[TestClient]:
    app = make_app(NATS_URL=nats_server.url)
    with TestClient(app) as client:
        yield client
    app.state.db.dispose()


def receive(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == kind:
            return message


def test_a_client_that_sets_headers_authenticates_on_the_handshake(live: TestClient) -> None:
    admin = register_admin(live)
    with live.websocket_connect(
        "/api/grid/live", headers={"Authorization": f"Bearer {admin}"}
    ) as ws:
        ready = receive(ws, "ready")
        assert ready["user"]["name"] == "admin"
        ws.send_json({"type": "subscribe"})
        assert receive(ws, "state")["locks"] == []


def test_a_read_only_key_watches_but_cannot_lock(live: TestClient) -> None:
    admin = register_admin(live)
    (fund,) = funds(live, admin, "Fund III")
    row = org_row(live, admin, "Harbor")
    key = create_key(live, admin, ["read"])["key"]
    with live.websocket_connect("/api/grid/live") as ws:
        ws.send_json({"type": "auth", "api_key": key})
        receive(ws, "ready")
        ws.send_json({"type": "subscribe"})
        receive(ws, "state")
        ws.send_json({"type": "lock", "row_id": row["id"], "column": f"fund:{fund['id']}"})
        refused = receive(ws, "error")
        assert refused["status"] == 403
        ws.send_json({"type": "nonsense"})
        assert receive(ws, "error")["status"] == 422
        ws.send_json({"type": "ping"})
        assert receive(ws, "pong")["seq"] is not None


def test_no_frame_but_auth_opens_the_feed(live: TestClient) -> None:
    with live.websocket_connect("/api/grid/live") as ws:
        ws.send_json({"type": "subscribe"})
        assert ws.receive_json()["status"] == 401
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4401


def test_a_client_flooding_the_feed_is_disconnected(live: TestClient) -> None:
    admin = register_admin(live)
    with live.websocket_connect("/api/grid/live") as ws:
        ws.send_json({"type": "auth", "token": admin})
        receive(ws, "ready")
        for _ in range(60):
            ws.send_json({"type": "ping"})
        assert receive(ws, "error")["status"] == 429


def test_the_browsers_session_cookie_authenticates_a_handshake_from_its_own_origin(
    live: TestClient,
) -> None:
    register_admin(live)
    browser_sign_in(live)
    with live.websocket_connect("/api/grid/live", headers={"Origin": "http://testserver"}) as ws:
        assert receive(ws, "ready")["user"]["name"] == "admin"


@pytest.mark.parametrize("origin", ["https://evil.example", None])
def test_the_session_cookie_is_refused_from_another_origin_or_none(
    live: TestClient, origin: str | None
) -> None:
    register_admin(live)
    browser_sign_in(live)
    headers = {"Origin": origin} if origin else {}
    with live.websocket_connect("/api/grid/live", headers=headers) as ws:
        assert ws.receive_json()["status"] == 401
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4401
