"""The grid's activity feed merges the audit log, the automations' runs and the backups."""

from __future__ import annotations

from api_helpers import bearer, create_member
from fastapi.testclient import TestClient
from grid_helpers import edit_cell, edit_row, funds, org_row


def test_the_activity_feed_merges_audit_automation_runs_and_backups(
    client: TestClient, admin: str
) -> None:
    (fund,) = funds(client, admin, "Fund III")
    row = org_row(client, admin, "Harbor", flags=["follow_up"])
    edit_cell(client, admin, row["id"], fund["id"], 0, committed_amount="10.00")
    rules = client.get("/api/grid/rules", headers=bearer(admin)).json()["items"]
    for rule in rules:
        client.post(f"/api/grid/rules/{rule['id']}/run", json={}, headers=bearer(admin))
    assert client.post("/api/admin/backups", json={}, headers=bearer(admin)).status_code == 201
    current = client.get(f"/api/grid/rows/{row['id']}", headers=bearer(admin)).json()
    edit_row(client, admin, current, lead_source="Referral")

    feed = client.get("/api/grid/activity", headers=bearer(admin))
    assert feed.status_code == 200, feed.text
    items = feed.json()["items"]
    assert {item["source"] for item in items} == {"audit", "automation", "backup"}
    times = [item["at"] for item in items]
    assert times == sorted(times, reverse=True)
    assert items[0]["entity_type"] == "grid_row"  # the newest: the lead source edit
    kinds = {(item["source"], item["entity_type"]) for item in items}
    assert ("audit", "opportunity") in kinds
    assert ("backup", "backup") in kinds

    page = client.get("/api/grid/activity", params={"limit": 2}, headers=bearer(admin)).json()
    assert len(page["items"]) == 2
    rest = client.get(
        "/api/grid/activity", params={"before": page["next_before"]}, headers=bearer(admin)
    ).json()
    assert rest["items"]
    assert all(item["at"] < page["items"][-1]["at"] for item in rest["items"])

    only = client.get(
        "/api/grid/activity", params={"sources": ["backup"]}, headers=bearer(admin)
    ).json()
    assert {item["source"] for item in only["items"]} == {"backup"}


def test_the_activity_feed_is_for_admins(client: TestClient, admin: str) -> None:
    member = create_member(client, admin)
    assert client.get("/api/grid/activity", headers=bearer(member)).status_code == 403
