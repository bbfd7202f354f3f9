"""Search across services: crm-api publishes, ingest indexes, `GET /api/search` answers through
crm-api with citations, and originals only for those allowed to see them.

Both services run for real in this process (each app under its own TestClient, with its
lifespan: crm-api's outbox relay, ingest's consumers, indexer and endpoints) on one nats-server.
The test talks to ingest only through its contracts: `/health`, `search.status`, `search.reindex`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import bearer, create_key, register_admin
from fastapi.testclient import TestClient

from crm_api.__main__ import DEFINITION as CRM_API
from crm_api.app import create_app as create_crm_api
from crm_api.settings import Settings as CrmApiSettings
from crm_common.bus.connection import connect
from crm_common.bus.service import call
from crm_common.cli import migrate
from crm_common.contracts.search import SEARCH_REINDEX, ReindexRequest, ReindexResponse
from crm_common.natsd import NatsServer
from crm_common.outbox import unsent_count
from crm_common.testing import eventually, poll_health, search_caught_up
from crm_ingest.__main__ import DEFINITION as INGEST
from crm_ingest.app import create_app as create_ingest
from crm_ingest.settings import Settings as IngestSettings

WIRE = (
    "Sent the wire instructions for the Fund IV capital call: ABA routing 021000021, account "
    "number 123456789012. Their treasurer confirmed by phone."
)


class Stack:
    def __init__(self, crm: TestClient, ingest: TestClient, nats_url: str) -> None:
        self.crm = crm
        self.ingest = ingest
        self.nats_url = nats_url
        self.admin = register_admin(crm)

    def settle(self) -> None:
        """Wait until crm-api published everything and ingest indexed it."""
        asyncio.run(self._settle())

    async def _settle(self) -> None:
        db = self.crm.app.state.db  # type: ignore[attr-defined]
        await eventually(lambda: unsent_count(db) == 0, what="crm-api's outbox relayed")
        bus = await connect([self.nats_url], name="test-search", wait=10)
        try:
            await search_caught_up(bus)
        finally:
            await bus.close()

    def reindex(self, request: ReindexRequest) -> ReindexResponse:
        async def ask() -> ReindexResponse:
            bus = await connect([self.nats_url], name="test-search", wait=10)
            try:
                return await call(bus.nc, SEARCH_REINDEX, request, ReindexResponse)
            finally:
                await bus.close()

        return asyncio.run(ask())

    def search(self, headers: dict[str, str], **params: Any) -> Any:
        response = self.crm.get("/api/search", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def stack(tmp_path: Path, nats_server: NatsServer) -> Iterator[Stack]:
    crm_settings = CrmApiSettings(
        DATA_DIR=tmp_path / "crm",
        NATS_URL=nats_server.url,
        secret_key="k" * 24 + "test-secret-key-material",
        argon2_memory_kib=19_456,
        argon2_time_cost=2,
        outbox_poll_interval=0.2,
    )
    migrate(CRM_API, crm_settings)
    ingest_settings = IngestSettings(DATA_DIR=tmp_path / "ingest", NATS_URL=nats_server.url)
    migrate(INGEST, ingest_settings)
    ingest_app = create_ingest(ingest_settings)  # its own model, as `ingest serve` loads it
    with TestClient(create_crm_api(crm_settings)) as crm, TestClient(ingest_app) as ingest:
        poll_health(ingest, "/health", status=200, timeout=60)
        yield Stack(crm, ingest, nats_server.url)


def test_a_logged_call_is_found_through_crm_api_with_its_citation(stack: Stack) -> None:
    crm, admin = stack.crm, bearer(stack.admin)
    ada = crm.post(
        "/api/contacts", json={"first_name": "Ada", "last_name": "Lovelace"}, headers=admin
    )
    assert ada.status_code == 201
    call = crm.post(
        "/api/communications",
        json={
            "type": "call",
            "subject": "Fund IV capital call",
            "body": "Their CIO asked for a side letter with an MFN clause.",
            "occurred_at": "2026-11-02T09:30:00Z",
            "contact_id": ada.json()["id"],
        },
        headers=admin,
    )
    assert call.status_code == 201
    stack.settle()
    found = stack.search(admin, q="side letter MFN")
    (hit,) = found["hits"]
    assert hit["citation"]["crm_path"] == f"/api/communications/{call.json()['id']}"
    assert hit["citation"]["event_time"].startswith("2026-11-02T09:30:00")
    assert hit["names"] == ["Ada Lovelace"]
    assert hit["contact_ids"] == [ada.json()["id"]]
    assert crm.get(hit["citation"]["crm_path"], headers=admin).status_code == 200


def test_originals_are_shown_to_users_and_to_keys_with_read_sensitive_only(stack: Stack) -> None:
    crm, admin = stack.crm, bearer(stack.admin)
    ada = crm.post(
        "/api/contacts", json={"first_name": "Ada", "last_name": "Lovelace"}, headers=admin
    )
    crm.post(
        "/api/communications",
        json={
            "type": "email",
            "subject": "Wire instructions",
            "body": WIRE,
            "occurred_at": "2026-11-02T09:30:00Z",
            "contact_id": ada.json()["id"],
        },
        headers=admin,
    )
    stack.settle()
    query = {"q": "wire instructions routing account", "top_k": 1}

    (as_admin,) = stack.search(admin, **query)["hits"]
    assert "123456789012" in as_admin["snippet"]
    assert "021000021" in as_admin["snippet"]
    assert as_admin["rehydrated"] is True

    reader = {"X-API-Key": create_key(crm, stack.admin, ["read"])["key"]}
    (as_agent,) = stack.search(reader, **query)["hits"]
    assert "123456789012" not in as_agent["snippet"]
    assert "[ACCOUNT_NUMBER_1]" in as_agent["snippet"]
    assert as_agent["rehydrated"] is False
    assert {m["type"] for m in as_agent["redactions"]} == {"ACCOUNT_NUMBER", "ROUTING_NUMBER"}

    trusted_key = create_key(crm, stack.admin, ["read", "read:sensitive"])
    (as_trusted,) = stack.search({"X-API-Key": trusted_key["key"]}, **query)["hits"]
    assert "123456789012" in as_trusted["snippet"]

    log = crm.get("/api/interactions", params={"limit": 500}, headers=admin).json()["items"]
    searches = [e for e in log if e["action"] == "search.query"]
    assert [e["actor_kind"] for e in searches] == [
        "agent",
        "agent",
    ]  # the admin's is not an agent action
    assert sorted(e["flags"] for e in searches) == [[], ["sensitive_shown"]]
    assert all(e["channel"] == "GET /api/search" for e in searches)
    assert all(e["targets"][0]["type"] == "communication" for e in searches)


def test_a_keys_search_with_hits_taints_its_session(stack: Stack) -> None:
    crm, admin = stack.crm, bearer(stack.admin)
    ada = crm.post(
        "/api/contacts", json={"first_name": "Ada", "last_name": "Lovelace"}, headers=admin
    )
    crm.post(
        "/api/communications",
        json={
            "type": "email",
            "subject": "Capital call notice",
            "body": "Please wire the capital call by Friday.",
            "occurred_at": "2026-11-02T09:30:00Z",
            "contact_id": ada.json()["id"],
        },
        headers=admin,
    )
    stack.settle()
    agent = {"X-API-Key": create_key(crm, stack.admin, ["read"])["key"], "X-MCP-Session": "s-9"}
    response = crm.get("/api/search", params={"q": "capital call", "top_k": 1}, headers=agent)
    assert response.status_code == 200, response.text
    assert response.json()["hits"]
    assert response.headers["X-Content-Trust"] == "untrusted"
    state = crm.get("/api/agent/session", headers=agent).json()
    assert state["tainted"] is True
    assert state["source"] == "GET /api/search"


def test_reindex_without_replay_rebuilds_from_a_crm_api_snapshot(stack: Stack) -> None:
    crm, admin = stack.crm, bearer(stack.admin)
    org = crm.post(
        "/api/organizations",
        json={
            "name": "Halvorsen Foundation",
            "type": "foundation",
            "description": "A family foundation that backs climate and deep-tech managers.",
        },
        headers=admin,
    )
    assert org.status_code == 201, org.text
    stack.settle()
    before = stack.search(admin, q="climate deep-tech foundation")["hits"]
    assert [h["citation"]["source_id"] for h in before] == [org.json()["id"]]

    stack.reindex(ReindexRequest(replay=False))
    stack.settle()
    assert stack.search(admin, q="climate deep-tech foundation")["hits"] == []
    assert crm.post("/api/admin/snapshots", headers=admin).status_code == 201
    stack.settle()
    after = stack.search(admin, q="climate deep-tech foundation")["hits"]
    assert [h["citation"]["source_id"] for h in after] == [org.json()["id"]]
