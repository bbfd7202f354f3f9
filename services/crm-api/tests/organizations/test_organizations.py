"""Organizations: the aggregate rules every CRM record follows, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from api_helpers import bearer, create_key, events
from fastapi import FastAPI
from fastapi.testclient import TestClient


def create(client: TestClient, token: str, **fields: Any) -> Any:
    body = {"name": "Harbor Family Office", "type": "family_office"} | fields
    response = client.post("/api/organizations", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    return response


def test_a_created_organization_is_returned_published_audited_and_logged(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    response = create(
        client,
        admin,
        website="https://harbor.example",
        domains=["Harbor.example", "www.harbor-fo.example"],
    )
    org = response.json()
    assert response.headers["etag"] == '"1"'
    assert org["version"] == 1
    assert org["domains"] == ["harbor-fo.example", "harbor.example"]
    assert org["created_by"] == org["updated_by"]

    (event,) = events(app, "crm.organization.")
    assert event["type"] == "crm.organization.created"
    assert event["subject"] == org["id"]
    assert event["version"] == 1
    assert event["data"] == org
    audit = client.get("/api/audit-log", params={"entity_id": org["id"]}, headers=bearer(admin))
    assert [e["action"] for e in audit.json()["items"]] == ["create"]
    touches = client.get(
        "/api/interactions",
        params={"entity_type": "organization", "entity_id": org["id"]},
        headers=bearer(admin),
    )
    assert [t["action"] for t in touches.json()["items"]] == ["organization.create"]


def test_a_type_outside_the_managed_list_is_refused_naming_the_allowed_ones(
    client: TestClient, admin: str
) -> None:
    response = client.post(
        "/api/organizations", json={"name": "X", "type": "hedge"}, headers=bearer(admin)
    )
    assert response.status_code == 422
    assert "family_office" in response.json()["allowed"]
    added = client.post(
        "/api/admin/lookups/organization_type",
        json={"value": "hedge", "label": "Hedge fund"},
        headers=bearer(admin),
    )
    assert added.status_code == 201
    assert (
        client.post(
            "/api/organizations", json={"name": "X", "type": "hedge"}, headers=bearer(admin)
        ).status_code
        == 201
    )


def test_a_domain_belongs_to_one_live_organization(client: TestClient, admin: str) -> None:
    first = create(client, admin, domains=["harbor.example"]).json()
    clash = client.post(
        "/api/organizations",
        json={"name": "Other", "domains": ["harbor.example"]},
        headers=bearer(admin),
    )
    assert clash.status_code == 409
    assert clash.json()["organization_id"] == first["id"]

    client.delete(f"/api/organizations/{first['id']}", headers=bearer(admin))
    second = create(client, admin, name="Harbor II", domains=["harbor.example"]).json()
    restore = client.post(f"/api/organizations/{first['id']}/restore", headers=bearer(admin))
    assert restore.status_code == 409
    assert restore.json()["organization_id"] == second["id"]


def test_a_replayed_idempotency_key_returns_the_first_answer_and_creates_one_row(
    client: TestClient, admin: str
) -> None:
    headers = bearer(admin) | {"Idempotency-Key": "create-harbor-0001"}
    body = {"name": "Harbor", "type": "family_office"}
    first = client.post("/api/organizations", json=body, headers=headers)
    again = client.post("/api/organizations", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    listed = client.get("/api/organizations", params={"q": "harbor"}, headers=bearer(admin)).json()
    assert listed["total"] == 1

    other = client.post("/api/organizations", json=body | {"name": "Else"}, headers=headers)
    assert other.status_code == 409


def test_an_update_needs_the_current_version(client: TestClient, admin: str) -> None:
    org = create(client, admin).json()
    path = f"/api/organizations/{org['id']}"
    missing = client.patch(path, json={"name": "Renamed"}, headers=bearer(admin))
    assert missing.status_code == 428

    ok = client.patch(path, json={"name": "Renamed"}, headers=bearer(admin) | {"If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    assert ok.headers["etag"] == '"2"'

    stale = client.patch(path, json={"name": "Stale"}, headers=bearer(admin) | {"If-Match": '"1"'})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert stale.json()["current"]["name"] == "Renamed"


def test_an_update_that_changes_nothing_keeps_the_version_and_publishes_nothing(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    org = create(client, admin).json()
    response = client.patch(
        f"/api/organizations/{org['id']}",
        json={"name": org["name"]},
        headers=bearer(admin) | {"If-Match": '"1"'},
    )
    assert response.json()["version"] == 1
    assert [e["type"] for e in events(app, "crm.organization.")] == ["crm.organization.created"]


def test_soft_deleted_organizations_are_hidden_and_restorable(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    org = create(client, admin).json()
    path = f"/api/organizations/{org['id']}"
    deleted = client.delete(path, headers=bearer(admin))
    assert deleted.json()["deleted_at"] is not None
    assert client.get(path, headers=bearer(admin)).status_code == 404
    assert client.get("/api/organizations", headers=bearer(admin)).json()["total"] == 0
    only = client.get("/api/organizations", params={"deleted": "only"}, headers=bearer(admin))
    assert [o["id"] for o in only.json()["items"]] == [org["id"]]

    restored = client.post(f"{path}/restore", headers=bearer(admin))
    assert restored.json()["deleted_at"] is None
    assert restored.json()["version"] == 3
    assert client.get(path, headers=bearer(admin)).status_code == 200
    assert [e["type"] for e in events(app, "crm.organization.")] == [
        "crm.organization.created",
        "crm.organization.deleted",
        "crm.organization.restored",
    ]


def test_purge_is_for_admins_and_deleted_records_and_leaves_an_audit_entry(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    org = create(client, admin).json()
    purge = f"/api/admin/organizations/{org['id']}/purge"
    assert client.post(purge, headers=bearer(admin)).status_code == 422  # still live
    client.delete(f"/api/organizations/{org['id']}", headers=bearer(admin))
    assert client.post(purge, headers=bearer(admin)).status_code == 204
    assert (
        client.get(
            "/api/organizations", params={"deleted": "include"}, headers=bearer(admin)
        ).json()["total"]
        == 0
    )
    audit = client.get("/api/audit-log", params={"entity_id": org["id"]}, headers=bearer(admin))
    entry = audit.json()["items"][0]
    assert entry["action"] == "purge"
    assert entry["before"]["name"] == org["name"]
    assert events(app, "crm.organization.")[-1]["type"] == "crm.organization.purged"


def test_lists_filter_sort_count_and_page_with_a_cursor(client: TestClient, admin: str) -> None:
    names = ["Alder Foundation", "Birch Endowment", "Cedar Family Office", "Dogwood Foundation"]
    for name in names:
        kind = "foundation" if "Foundation" in name else "other"
        create(client, admin, name=name, type=kind, domains=[name.split()[0].lower() + ".example"])

    foundations = client.get(
        "/api/organizations", params={"type": "foundation"}, headers=bearer(admin)
    ).json()
    assert [o["name"] for o in foundations["items"]] == ["Alder Foundation", "Dogwood Foundation"]
    by_domain = client.get(
        "/api/organizations", params={"domain": "cedar.example"}, headers=bearer(admin)
    ).json()
    assert [o["name"] for o in by_domain["items"]] == ["Cedar Family Office"]
    by_q = client.get("/api/organizations", params={"q": "BIRCH"}, headers=bearer(admin)).json()
    assert [o["name"] for o in by_q["items"]] == ["Birch Endowment"]

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, "sort": "-name"}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/organizations", params=params, headers=bearer(admin)).json()
        assert page["total"] == 4
        seen += [o["name"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(names, reverse=True)
    bad = client.get("/api/organizations", params={"cursor": "garbage!"}, headers=bearer(admin))
    assert bad.status_code == 422


def test_an_agent_reads_organizations_but_cannot_write_them(client: TestClient, admin: str) -> None:
    org = create(client, admin).json()
    agent = {"X-API-Key": create_key(client, admin, ["read", "write:logged"])["key"]}
    assert client.get(f"/api/organizations/{org['id']}", headers=agent).status_code == 200
    assert client.post("/api/organizations", json={"name": "X"}, headers=agent).status_code == 403
