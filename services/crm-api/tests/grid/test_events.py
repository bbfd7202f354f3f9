"""The grid's aggregates go out through the outbox with their full state, and are in the snapshot
so that a consumer can rebuild from it."""

from __future__ import annotations

from api_helpers import bearer, events
from fastapi import FastAPI
from fastapi.testclient import TestClient
from grid_helpers import edit_row, org_row


def test_rows_columns_views_lists_and_rules_are_events_with_full_state(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    column = client.post(
        "/api/grid/columns", json={"key": "region", "label": "Region"}, headers=bearer(admin)
    ).json()
    row = org_row(client, admin, "Harbor", values={"region": "EU"})
    edit_row(client, admin, row, flags=["follow_up"])
    client.delete(f"/api/grid/rows/{row['id']}", headers=bearer(admin))
    client.post(f"/api/grid/rows/{row['id']}/restore", headers=bearer(admin))
    view = client.post("/api/grid/views", json={"name": "Mine"}, headers=bearer(admin)).json()
    made = client.post(
        "/api/grid/lists", json={"key": "warm", "name": "Warm"}, headers=bearer(admin)
    )
    rule = client.post(
        "/api/grid/rules",
        json={"name": "r", "condition": True, "actions": [{"type": "add_to_list", "list": "warm"}]},
        headers=bearer(admin),
    ).json()
    client.post(f"/api/grid/rules/{rule['id']}/run", json={}, headers=bearer(admin))

    row_events = events(app, "crm.grid_row.")
    assert [e["type"].rsplit(".", 1)[1] for e in row_events] == [
        "created",
        "updated",
        "deleted",
        "restored",
    ]
    assert [e["version"] for e in row_events] == [1, 2, 3, 4]
    last = row_events[-1]["data"]
    assert last["flags"] == ["follow_up"]
    assert last["values"] == {"region": "EU"}
    assert last["deleted_at"] is None
    assert events(app, "crm.grid_column.created")[0]["data"]["key"] == column["key"]
    assert events(app, "crm.grid_view.created")[0]["data"]["id"] == view["id"]
    assert events(app, "crm.grid_list.created")[0]["data"]["key"] == made.json()["key"]
    assert events(app, "crm.grid_rule.created")[0]["data"]["id"] == rule["id"]
    member = events(app, "crm.grid_list_member.created")[0]
    assert member["data"]["list_key"] == "warm"
    assert member["data"]["row_id"] == row["id"]


def test_the_snapshot_carries_every_grid_aggregate(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    org_row(client, admin, "Harbor")
    client.post(
        "/api/grid/columns", json={"key": "region", "label": "Region"}, headers=bearer(admin)
    )
    client.post("/api/grid/views", json={"name": "Mine"}, headers=bearer(admin))
    rules = client.get("/api/grid/rules", headers=bearer(admin)).json()["items"]
    client.post(f"/api/grid/rules/{rules[0]['id']}/run", json={}, headers=bearer(admin))
    published = client.post("/api/admin/snapshots", headers=bearer(admin))
    assert published.status_code == 201, published.text
    counts = published.json()["counts"]
    assert counts["grid_row"] == 1
    assert counts["grid_column"] == 1
    assert counts["grid_view"] == 1
    assert counts["grid_list"] == 3
    assert counts["grid_rule"] == 3
    assert counts["grid_list_member"] == 1
    snapshot_rows = events(app, "crm.grid_row.snapshot")
    assert set(snapshot_rows[0]["data"]) >= {
        "id",
        "investor_kind",
        "organization_id",
        "contact_id",
        "contact_ids",
        "deleted_at",
    }
