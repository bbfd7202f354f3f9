"""Funds: the columns of the fundraising grid, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from api_helpers import bearer, create_key, events
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError

from crm_api.funds.models import Fund


def create(client: TestClient, token: str, **fields: Any) -> Any:
    body = {"name": "Fund III", "vintage": 2026, "target_size": "250000000.00"} | fields
    response = client.post("/api/funds", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    return response


def test_a_created_fund_is_returned_published_audited_and_logged(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    response = create(client, admin)
    fund = response.json()
    assert response.headers["etag"] == '"1"'
    assert fund["version"] == 1
    assert fund["target_size"] == "250000000.00"
    assert fund["currency"] == "USD"
    assert fund["status"] == "raising"
    assert fund["position"] == 0

    (event,) = events(app, "crm.fund.")
    assert event["type"] == "crm.fund.created"
    assert event["subject"] == fund["id"]
    assert event["data"] == fund
    audit = client.get("/api/audit-log", params={"entity_id": fund["id"]}, headers=bearer(admin))
    assert [e["action"] for e in audit.json()["items"]] == ["create"]
    touches = client.get(
        "/api/interactions",
        params={"entity_type": "fund", "entity_id": fund["id"]},
        headers=bearer(admin),
    )
    assert [t["action"] for t in touches.json()["items"]] == ["fund.create"]


def test_a_new_fund_goes_after_the_last_column_unless_placed(
    client: TestClient, admin: str
) -> None:
    assert create(client, admin, name="Fund I").json()["position"] == 0
    assert create(client, admin, name="Fund II", position=7).json()["position"] == 7
    assert create(client, admin, name="Fund III").json()["position"] == 8


def test_a_status_outside_the_managed_list_is_refused_naming_the_allowed_ones(
    client: TestClient, admin: str
) -> None:
    response = client.post(
        "/api/funds", json={"name": "Fund IV", "status": "dormant"}, headers=bearer(admin)
    )
    assert response.status_code == 422
    assert response.json()["field"] == "status"
    assert response.json()["allowed"] == [
        "raising",
        "first_close",
        "final_close",
        "investing",
        "harvesting",
        "closed",
    ]
    fund = create(client, admin).json()
    update = client.patch(
        f"/api/funds/{fund['id']}",
        json={"status": "dormant"},
        headers=bearer(admin) | {"If-Match": '"1"'},
    )
    assert update.status_code == 422


def test_a_fund_name_belongs_to_one_live_fund_whatever_its_case(
    client: TestClient, admin: str
) -> None:
    first = create(client, admin, name="Harbor Ventures III").json()
    clash = client.post("/api/funds", json={"name": "HARBOR ventures iii"}, headers=bearer(admin))
    assert clash.status_code == 409
    assert clash.json()["fund_id"] == first["id"]

    client.delete(f"/api/funds/{first['id']}", headers=bearer(admin))
    second = create(client, admin, name="harbor ventures III").json()
    restore = client.post(f"/api/funds/{first['id']}/restore", headers=bearer(admin))
    assert restore.status_code == 409
    assert restore.json()["fund_id"] == second["id"]


def test_the_database_itself_refuses_a_second_live_fund_with_the_same_name(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    create(client, admin, name="Fund III")
    with pytest.raises(IntegrityError), app.state.db.transaction() as session:
        session.add(
            Fund(
                name="FUND III",
                name_key="fund iii",
                status="raising",
                position=1,
                created_by="test",
                updated_by="test",
            )
        )


def test_a_rename_onto_another_live_funds_name_is_refused(client: TestClient, admin: str) -> None:
    create(client, admin, name="Fund I")
    second = create(client, admin, name="Fund II").json()
    response = client.patch(
        f"/api/funds/{second['id']}",
        json={"name": "fund i"},
        headers=bearer(admin) | {"If-Match": '"1"'},
    )
    assert response.status_code == 409


def test_bad_vintages_currencies_and_sizes_are_refused(client: TestClient, admin: str) -> None:
    for bad in (
        {"vintage": 1899},
        {"vintage": 2201},
        {"currency": "usd"},
        {"currency": "DOLLAR"},
        {"target_size": "-1"},
        {"target_size": "10.005"},
    ):
        response = client.post("/api/funds", json={"name": "X"} | bad, headers=bearer(admin))
        assert response.status_code == 422, bad


def test_an_update_needs_the_current_version(client: TestClient, admin: str) -> None:
    fund = create(client, admin).json()
    path = f"/api/funds/{fund['id']}"
    missing = client.patch(path, json={"status": "first_close"}, headers=bearer(admin))
    assert missing.status_code == 428

    ok = client.patch(
        path, json={"status": "first_close"}, headers=bearer(admin) | {"If-Match": '"1"'}
    )
    assert ok.status_code == 200
    assert ok.json()["status"] == "first_close"
    assert ok.headers["etag"] == '"2"'

    stale = client.patch(
        path, json={"status": "final_close"}, headers=bearer(admin) | {"If-Match": '"1"'}
    )
    assert stale.status_code == 409
    assert stale.json()["current"]["status"] == "first_close"


def test_a_replayed_idempotency_key_returns_the_first_answer_and_creates_one_row(
    client: TestClient, admin: str
) -> None:
    headers = bearer(admin) | {"Idempotency-Key": "create-fund-iii-0001"}
    body = {"name": "Fund III", "target_size": 100}
    first = client.post("/api/funds", json=body, headers=headers)
    again = client.post("/api/funds", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert client.get("/api/funds", headers=bearer(admin)).json()["total"] == 1


def test_soft_deleted_funds_are_hidden_and_restorable(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    fund = create(client, admin).json()
    path = f"/api/funds/{fund['id']}"
    assert client.delete(path, headers=bearer(admin)).json()["deleted_at"] is not None
    assert client.get(path, headers=bearer(admin)).status_code == 404
    assert client.get("/api/funds", headers=bearer(admin)).json()["total"] == 0

    restored = client.post(f"{path}/restore", headers=bearer(admin))
    assert restored.json()["deleted_at"] is None
    assert restored.json()["version"] == 3
    assert [e["type"] for e in events(app, "crm.fund.")] == [
        "crm.fund.created",
        "crm.fund.deleted",
        "crm.fund.restored",
    ]


def test_a_fund_with_opportunities_cannot_be_purged(client: TestClient, admin: str) -> None:
    fund = create(client, admin).json()
    org = client.post(
        "/api/organizations",
        json={"name": "Harbor", "type": "family_office"},
        headers=bearer(admin),
    ).json()
    opp = client.post(
        "/api/opportunities",
        json={"investor_organization_id": org["id"], "fund_id": fund["id"]},
        headers=bearer(admin),
    ).json()
    client.delete(f"/api/opportunities/{opp['id']}", headers=bearer(admin))
    client.delete(f"/api/funds/{fund['id']}", headers=bearer(admin))
    purge = f"/api/admin/funds/{fund['id']}/purge"

    refused = client.post(purge, headers=bearer(admin))
    assert refused.status_code == 409
    assert refused.json()["opportunities"] == 1

    client.post(f"/api/admin/opportunities/{opp['id']}/purge", headers=bearer(admin))
    assert client.post(purge, headers=bearer(admin)).status_code == 204


def test_purge_is_for_deleted_funds_and_leaves_an_audit_entry(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    fund = create(client, admin).json()
    purge = f"/api/admin/funds/{fund['id']}/purge"
    assert client.post(purge, headers=bearer(admin)).status_code == 422  # still live
    client.delete(f"/api/funds/{fund['id']}", headers=bearer(admin))
    assert client.post(purge, headers=bearer(admin)).status_code == 204
    listed = client.get("/api/funds", params={"deleted": "include"}, headers=bearer(admin))
    assert listed.json()["total"] == 0
    audit = client.get("/api/audit-log", params={"entity_id": fund["id"]}, headers=bearer(admin))
    entry = audit.json()["items"][0]
    assert entry["action"] == "purge"
    assert entry["before"]["name"] == fund["name"]
    assert events(app, "crm.fund.")[-1]["type"] == "crm.fund.purged"


def test_lists_filter_sort_count_and_page_with_a_cursor(client: TestClient, admin: str) -> None:
    specs = [
        ("Fund I", 2014, "harvesting"),
        ("Fund II", 2018, "investing"),
        ("Fund III", None, "raising"),
        ("Opportunity Fund", 2018, "investing"),
        ("Fund IV", 2026, "raising"),
    ]
    for name, vintage, status in specs:
        create(client, admin, name=name, vintage=vintage, status=status)

    investing = client.get("/api/funds", params={"status": "investing"}, headers=bearer(admin))
    assert [f["name"] for f in investing.json()["items"]] == ["Fund II", "Opportunity Fund"]
    of_2018 = client.get("/api/funds", params={"vintage": 2018}, headers=bearer(admin))
    assert of_2018.json()["total"] == 2
    by_q = client.get("/api/funds", params={"q": "opportunity"}, headers=bearer(admin))
    assert [f["name"] for f in by_q.json()["items"]] == ["Opportunity Fund"]
    grid = client.get("/api/funds", headers=bearer(admin)).json()
    assert [f["name"] for f in grid["items"]] == [name for name, _, _ in specs]

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "sort": "-vintage"}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/funds", params=params, headers=bearer(admin)).json()
        assert page["total"] == 5
        seen += [f["name"] for f in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # Newest vintage first; funds without one last.
    assert seen[0] == "Fund IV"
    assert set(seen[1:3]) == {"Fund II", "Opportunity Fund"}
    assert seen[3:] == ["Fund I", "Fund III"]


def test_an_agent_reads_funds_but_cannot_write_them(client: TestClient, admin: str) -> None:
    fund = create(client, admin).json()
    agent = {"X-API-Key": create_key(client, admin, ["read", "write:logged"])["key"]}
    assert client.get(f"/api/funds/{fund['id']}", headers=agent).status_code == 200
    assert client.post("/api/funds", json={"name": "X"}, headers=agent).status_code == 403
