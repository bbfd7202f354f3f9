"""The live feed across replicas: two real crm-api instances (uvicorn, one database, one
nats-server), two WebSocket clients, each on its own instance."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from api_helpers import ADMIN_PASSWORD, MEMBER_PASSWORD
from live_helpers import instances
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from crm_api.__main__ import DEFINITION
from crm_api.settings import Settings
from crm_common.cli import migrate
from crm_common.natsd import NatsServer

pytestmark = pytest.mark.anyio

Message = dict[str, Any]


@pytest.fixture
def replicas(tmp_path: Path, database_url: str, nats_server: NatsServer) -> Iterator[list[str]]:
    settings = Settings(DATA_DIR=tmp_path, database_url=database_url, secret_key="s" * 48)
    migrate(DEFINITION, settings)
    with instances(
        2, data_dir=tmp_path, database_url=database_url, nats_url=nats_server.url
    ) as urls:
        yield urls


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/api/grid/live"


async def _drain(ws: ClientConnection) -> None:
    while True:
        await ws.recv()


async def expect(
    ws: ClientConnection, check: Callable[[Message], bool], within: float = 10.0
) -> Message:
    """The next message that passes `check` (skipping the others)."""
    async with asyncio.timeout(within):
        while True:
            message: Message = json.loads(await ws.recv())
            if check(message):
                return message


async def open_client(base: str, token: str, since: int | None = None) -> ClientConnection:
    ws = await connect(ws_url(base))
    await ws.send(json.dumps({"type": "auth", "token": token}))
    await expect(ws, lambda m: m["type"] == "ready")
    await ws.send(json.dumps({"type": "subscribe", "since": since}))
    await expect(ws, lambda m: m["type"] == "state")
    return ws


class Api:
    def __init__(self, client: httpx.AsyncClient, base: str, token: str) -> None:
        self.client = client
        self.base = base
        self.token = token

    async def call(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} | kwargs.pop("headers", {})
        response = await self.client.request(
            method, self.base + path, headers=headers, timeout=30, **kwargs
        )
        assert response.status_code == expect, response.text
        return response.json() if response.content else None


async def sign_in(client: httpx.AsyncClient, base: str, username: str, password: str) -> str:
    response = await client.post(
        f"{base}/api/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def setup(client: httpx.AsyncClient, a: str, b: str) -> tuple[Api, Api, dict[str, Any]]:
    registered = await client.post(
        f"{a}/api/auth/register", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert registered.status_code == 201, registered.text
    admin = Api(client, a, await sign_in(client, a, "admin", ADMIN_PASSWORD))
    await admin.call(
        "POST",
        "/api/admin/users",
        201,
        json={"username": "paul", "password": MEMBER_PASSWORD, "role": "member"},
    )
    paul = Api(client, b, await sign_in(client, b, "paul", MEMBER_PASSWORD))
    fund = await admin.call("POST", "/api/funds", 201, json={"name": "Fund III"})
    other = await admin.call("POST", "/api/funds", 201, json={"name": "Fund IV"})
    row = await admin.call(
        "POST", "/api/grid/rows", 201, json={"new_organization": {"name": "Harbor"}}
    )
    return admin, paul, {"fund": fund, "other": other, "row": row}


def is_change(kind: str, subject: str | None = None) -> Callable[[Message], bool]:
    def check(message: Message) -> bool:
        return (
            message["type"] == "change"
            and message["event"]["type"] == kind
            and (subject is None or message["event"]["subject"] == subject)
        )

    return check


async def test_two_clients_on_two_instances_see_each_others_edits_presence_and_locks(
    replicas: list[str],
) -> None:
    a, b = replicas
    async with httpx.AsyncClient() as client:
        admin, paul, made = await setup(client, a, b)
        alice_ws = await open_client(a, admin.token)
        paul_ws = await open_client(b, paul.token)
        async with alice_ws, paul_ws:
            await _edits_presence_and_locks(admin, paul, made, alice_ws, paul_ws)


async def _edits_presence_and_locks(
    admin: Api,
    paul: Api,
    made: dict[str, Any],
    alice_ws: ClientConnection,
    paul_ws: ClientConnection,
) -> None:
    row, fund, other = made["row"], made["fund"], made["other"]
    # Presence: Paul looks at a cell through instance B; Alice, on A, sees it.
    cell = {"row_id": row["id"], "column": f"fund:{fund['id']}"}
    await paul_ws.send(json.dumps({"type": "presence", "view_id": None, "cell": cell}))
    seen = await expect(
        alice_ws,
        lambda m: (
            m["type"] == "presence"
            and m["op"] == "put"
            and m["presence"]["name"] == "paul"
            and m["presence"]["cell"] == cell
        ),
    )
    assert seen["presence"]["instance"] != ""

    # Edits through either instance reach the client of the other.
    cell_a = await admin.call(
        "PATCH",
        f"/api/grid/rows/{row['id']}/cells/{fund['id']}",
        200,
        json={"committed_amount": "100.00"},
        headers={"If-Match": '"0"'},
    )
    change = await expect(paul_ws, is_change("crm.opportunity.created", cell_a["opportunity_id"]))
    assert change["event"]["data"]["committed_amount"] == "100.00"
    cell_b = await paul.call(
        "PATCH",
        f"/api/grid/rows/{row['id']}/cells/{other['id']}",
        200,
        json={"committed_amount": "200.00"},
        headers={"If-Match": '"0"'},
    )
    await expect(alice_ws, is_change("crm.opportunity.created", cell_b["opportunity_id"]))
    await paul.call(
        "PATCH",
        f"/api/grid/rows/{row['id']}",
        200,
        json={"flags": ["follow_up"]},
        headers={"If-Match": f'"{row["version"]}"'},
    )
    flagged = await expect(alice_ws, is_change("crm.grid_row.updated", row["id"]))
    assert flagged["event"]["data"]["flags"] == ["follow_up"]

    # An agent's proposal on a cell reaches the grid at once (the grid shows it in place).
    key = await admin.call(
        "POST", "/api/api-keys", 201, json={"name": "agent", "scopes": ["read", "write:logged"]}
    )
    proposed = await admin.call(
        "POST",
        "/api/agent/actions",
        202,
        json={
            "action": "move_stage",
            "params": {"opportunity_id": cell_a["opportunity_id"], "stage": "meeting"},
            "evidence": [{"type": "opportunity", "id": cell_a["opportunity_id"]}],
        },
        headers={"X-API-Key": key["key"], "Authorization": "", "Idempotency-Key": "live-prop-1"},
    )
    await expect(paul_ws, is_change("crm.proposal.created", proposed["proposal"]["id"]))

    # Locks: Paul takes the cell for a second; Alice sees it, cannot take it, and her edit of
    # the cell is refused until the lock expires on its own.
    await paul_ws.send(json.dumps({"type": "lock", **cell, "ttl": 1}))
    taken = await expect(paul_ws, lambda m: m["type"] == "lock_result")
    assert taken["ok"] is True
    await expect(alice_ws, lambda m: m["type"] == "lock" and m["op"] == "put")
    await alice_ws.send(json.dumps({"type": "lock", **cell, "ttl": 5}))
    denied = await expect(alice_ws, lambda m: m["type"] == "lock_result")
    assert denied["ok"] is False
    assert denied["lock"]["name"] == "paul"
    locked = await admin.call(
        "PATCH",
        f"/api/grid/rows/{row['id']}/cells/{fund['id']}",
        423,
        json={"committed_amount": "150.00"},
        headers={"If-Match": f'"{cell_a["version"]}"'},
    )
    assert locked["holder"]["name"] == "paul"
    expired = await expect(
        alice_ws, lambda m: m["type"] == "lock" and m["op"] == "delete", within=5
    )
    assert expired["lock"]["name"] == "paul"
    await admin.call(
        "PATCH",
        f"/api/grid/rows/{row['id']}/cells/{fund['id']}",
        200,
        json={"committed_amount": "150.00"},
        headers={"If-Match": f'"{cell_a["version"]}"'},
    )

    state = await admin.call("GET", "/api/grid/live/state", 200)
    assert {p["name"] for p in state["presence"]} == {"admin", "paul"}

    # Paul leaves: his presence goes with him.
    await paul_ws.close()
    await expect(
        alice_ws,
        lambda m: (
            m["type"] == "presence" and m["op"] == "delete" and m["presence"]["name"] == "paul"
        ),
    )
    await alice_ws.close()


async def test_a_reconnecting_client_catches_up_from_its_sequence(replicas: list[str]) -> None:
    a, b = replicas
    async with httpx.AsyncClient() as client:
        admin, paul, made = await setup(client, a, b)
        async with await open_client(b, paul.token) as paul_ws:
            last_seq = await _first_edit(admin, made, paul_ws)
        await _catch_up(admin, paul, made, a, last_seq)


async def _first_edit(admin: Api, made: dict[str, Any], paul_ws: ClientConnection) -> int:
    row, fund = made["row"], made["fund"]
    await admin.call(
        "PATCH",
        f"/api/grid/rows/{row['id']}/cells/{fund['id']}",
        200,
        json={"committed_amount": "1.00"},
        headers={"If-Match": '"0"'},
    )
    seen = await expect(paul_ws, is_change("crm.opportunity.created"))
    return int(seen["seq"])


async def _catch_up(admin: Api, paul: Api, made: dict[str, Any], a: str, last_seq: int) -> None:
    row, fund = made["row"], made["fund"]
    # A watcher on A sees each change once it is on the bus: the database answering 3.00 does not
    # mean the outbox has published it yet.
    async with await open_client(a, admin.token) as watcher:
        # While Paul is away, two more edits.
        second = await admin.call(
            "PATCH",
            f"/api/grid/rows/{row['id']}/cells/{fund['id']}",
            200,
            json={"committed_amount": "2.00"},
            headers={"If-Match": '"1"'},
        )
        await admin.call(
            "PATCH",
            f"/api/grid/rows/{row['id']}/cells/{fund['id']}",
            200,
            json={"committed_amount": "3.00"},
            headers={"If-Match": f'"{second["version"]}"'},
        )
        await expect(
            watcher,
            lambda m: (
                m["type"] == "change"
                and m["event"]["type"] == "crm.opportunity.updated"
                and m["event"]["data"]["committed_amount"] == "3.00"
            ),
        )

    # Paul comes back through the other instance, from the last seq he saw.
    async with await connect(ws_url(a)) as resumed:
        await _resume(paul, made, resumed, last_seq)


async def _resume(
    paul: Api, made: dict[str, Any], resumed: ClientConnection, last_seq: int
) -> None:
    row, fund = made["row"], made["fund"]
    await resumed.send(json.dumps({"type": "auth", "token": paul.token}))
    await expect(resumed, lambda m: m["type"] == "ready")
    await resumed.send(json.dumps({"type": "subscribe", "since": last_seq}))
    missed: list[Message] = []
    async with asyncio.timeout(10):
        while True:
            message = json.loads(await resumed.recv())
            if message["type"] == "change" and message["event"]["type"].startswith(
                "crm.opportunity."
            ):
                missed.append(message)
            if message["type"] == "caught_up":
                break
    amounts = [m["event"]["data"]["committed_amount"] for m in missed]
    assert amounts == ["2.00", "3.00"]
    seqs = [m["seq"] for m in missed]
    assert seqs == sorted(seqs)
    assert seqs[0] > last_seq
    # And then the live feed, with nothing twice.
    await paul.call(
        "PATCH",
        f"/api/grid/rows/{row['id']}/cells/{fund['id']}",
        200,
        json={"committed_amount": "4.00"},
        headers={"If-Match": '"3"'},
    )
    live = await expect(resumed, is_change("crm.opportunity.updated"))
    assert live["event"]["data"]["committed_amount"] == "4.00"
    assert live["seq"] > seqs[-1]


async def test_the_feed_refuses_a_client_that_does_not_authenticate(
    replicas: list[str],
) -> None:
    a, _ = replicas
    async with await connect(ws_url(a)) as ws:
        await ws.send(json.dumps({"type": "auth", "token": "not-a-token"}))
        with pytest.raises(ConnectionClosed) as closed:
            await _drain(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401
