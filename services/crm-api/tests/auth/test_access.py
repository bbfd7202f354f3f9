"""Authorization on every route, proven by walking the app's whole route table."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from api_helpers import bearer, create_key, create_member
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from crm_api.auth.dependencies import declared_routes
from crm_api.auth.models import ApiKey
from crm_api.auth.principal import Access

PLACEHOLDER = "01930000-0000-7000-8000-000000000000"


def routes(app: FastAPI) -> list[tuple[str, str, Access]]:
    found: list[tuple[str, str, Access]] = []
    for route in declared_routes(app):
        assert route.access is not None, f"{route.path} declares no access"
        path = re.sub(r"\{[^}]+\}", PLACEHOLDER, route.path)
        found.extend((method, path, route.access) for method in sorted(route.methods))
    assert len(found) > 20
    return found


def call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> int:
    body: dict[str, object] | None = None if method in {"GET", "DELETE"} else {}
    return client.request(method, path, json=body, headers=headers).status_code


def test_every_route_declares_its_access(app: FastAPI) -> None:
    levels = {level for _, _, level in routes(app)}
    assert {Access.PUBLIC, Access.READ, Access.WRITE, Access.ADMIN, Access.LOGGED_WRITE} <= levels


def test_no_route_but_the_public_ones_answers_without_a_principal(
    app: FastAPI, client: TestClient
) -> None:
    checked = 0
    for method, path, level in routes(app):
        status = call(client, method, path, {})
        if level is Access.PUBLIC:
            assert status != 401, f"{method} {path}"
        else:
            assert status == 401, f"{method} {path} answered {status} without credentials"
            checked += 1
    assert checked > 10


def test_no_admin_route_answers_a_member_or_an_agent(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    member = create_member(client, admin)
    agent = create_key(client, admin, ["read", "write:logged"])["key"]
    admin_routes = [(m, p) for m, p, level in routes(app) if level is Access.ADMIN]
    assert len(admin_routes) >= 8
    for method, path in admin_routes:
        assert call(client, method, path, bearer(member)) == 403, f"member: {method} {path}"
        assert call(client, method, path, {"X-API-Key": agent}) == 403, f"agent: {method} {path}"


def test_an_agent_key_makes_logged_writes_but_no_other_write(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    agent = {"X-API-Key": create_key(client, admin, ["read", "write:logged"])["key"]}
    for method, path, level in routes(app):
        if level is Access.WRITE:
            assert call(client, method, path, agent) == 403, f"{method} {path}"
    appended = client.post(
        "/api/interactions",
        json={
            "action": "tool.search",
            "channel": "mcp",
            "targets": [{"type": "contact", "id": "c1"}],
        },
        headers=agent,
    )
    assert appended.status_code == 201
    assert appended.json()["actor_kind"] == "agent"


def test_a_read_only_key_logs_its_own_tool_calls_and_nothing_else(
    client: TestClient, admin: str
) -> None:
    reader = {"X-API-Key": create_key(client, admin, ["read"])["key"]}
    assert client.get("/api/users", headers=reader).status_code == 200
    logged = client.post(
        "/api/interactions", json={"action": "tool.search", "channel": "mcp"}, headers=reader
    )
    assert logged.status_code == 201, logged.text
    assert logged.json()["actor_kind"] == "agent"
    refused = client.post(
        "/api/interactions",
        json={"action": "contact.update", "channel": "mcp", "outcome": "ok"},
        headers=reader,
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")


def test_an_api_key_is_shown_once_and_stored_only_as_a_hash(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    created = create_key(client, admin, ["read"])
    key = created["key"]
    assert key.startswith("lpcrm_")
    assert created["prefix"] in key
    listed = client.get("/api/api-keys", headers=bearer(admin))
    assert key not in listed.text
    assert "key_hash" not in listed.text
    with app.state.db.session() as session:
        row = session.get(ApiKey, created["id"])
        assert row is not None
        assert key not in row.key_hash
    assert client.get("/api/auth/me", headers={"X-API-Key": key}).status_code == 200


def test_a_revoked_key_is_refused(client: TestClient, admin: str) -> None:
    created = create_key(client, admin, ["read"])
    headers = {"X-API-Key": created["key"]}
    assert client.get("/api/users", headers=headers).status_code == 200
    revoked = client.post(f"/api/api-keys/{created['id']}/revoke", headers=bearer(admin))
    assert revoked.json()["revoked_at"] is not None
    assert client.get("/api/users", headers=headers).status_code == 401


def test_an_admin_lists_and_revokes_anyones_key(client: TestClient, admin: str) -> None:
    member = create_member(client, admin)
    created = create_key(client, member, ["read"])
    listed = client.get("/api/admin/api-keys", headers=bearer(admin)).json()
    assert created["id"] in {k["id"] for k in listed}
    assert (
        client.post(
            f"/api/admin/api-keys/{created['id']}/revoke", headers=bearer(admin)
        ).status_code
        == 200
    )
    assert client.get("/api/users", headers={"X-API-Key": created["key"]}).status_code == 401


def test_an_expired_key_is_refused(app: FastAPI, client: TestClient, admin: str) -> None:
    created = create_key(
        client, admin, ["read"], expires_at=(datetime.now(UTC) + timedelta(days=1)).isoformat()
    )
    headers = {"X-API-Key": created["key"]}
    assert client.get("/api/users", headers=headers).status_code == 200
    with app.state.db.transaction() as session:  # a day passes
        session.execute(
            update(ApiKey)
            .where(ApiKey.id == created["id"])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert client.get("/api/users", headers=headers).status_code == 401


@pytest.mark.parametrize("key", ["lpcrm_short", "not-a-key", "lpcrm_000000000000_" + "x" * 43])
def test_malformed_or_unknown_keys_are_refused(client: TestClient, admin: str, key: str) -> None:
    assert client.get("/api/users", headers={"X-API-Key": key}).status_code == 401


def test_a_member_cannot_grant_the_admin_scope_or_key_someone_else(
    client: TestClient, admin: str
) -> None:
    member = create_member(client, admin)
    admin_id = client.get("/api/auth/me", headers=bearer(admin)).json()["id"]
    for body in (
        {"name": "x", "scopes": ["admin"]},
        {"name": "x", "scopes": ["read"], "owner_id": admin_id},
    ):
        assert client.post("/api/api-keys", json=body, headers=bearer(member)).status_code == 403


def test_a_key_stops_working_when_its_owner_is_deactivated(client: TestClient, admin: str) -> None:
    member = create_member(client, admin)
    key = create_key(client, member, ["read"])["key"]
    member_id = client.get("/api/auth/me", headers=bearer(member)).json()["id"]
    client.patch(f"/api/admin/users/{member_id}", json={"is_active": False}, headers=bearer(admin))
    assert client.get("/api/users", headers={"X-API-Key": key}).status_code == 401
