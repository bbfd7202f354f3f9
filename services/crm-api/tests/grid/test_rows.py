"""Rows: adding an investor (matched by exact email or web domain, chosen by the user, never by
name), one row per investor, custom columns, contacts, outreach notes; saved views."""

from __future__ import annotations

import crm_factories as make
from api_helpers import bearer, create_member, events
from fastapi import FastAPI
from fastapi.testclient import TestClient
from grid_helpers import add_row, edit_cell, edit_row, funds, grid, org_row


def test_matches_are_offered_by_exact_email_or_domain_never_by_name(
    client: TestClient, admin: str
) -> None:
    org = make.organization(client, admin, name="Harbor Family Office", domains=["harbor.example"])
    person = make.contact(
        client,
        admin,
        emails=[{"email": "ada@harbor.example"}],
        affiliations=[{"organization_id": org["id"], "is_primary": True}],
    )
    make.organization(client, admin, name="Harbor Capital")  # same name prefix: never offered

    def match(**params: str) -> list[tuple[str, str, str]]:
        response = client.get("/api/grid/rows/match", params=params, headers=bearer(admin))
        assert response.status_code == 200, response.text
        return [(c["kind"], c["id"], c["matched_by"]) for c in response.json()["candidates"]]

    assert match(email="ADA@harbor.example") == [
        ("contact", person["id"], "email"),
        ("organization", org["id"], "domain"),
    ]
    assert match(domain="https://www.harbor.example/about") == [
        ("organization", org["id"], "domain")
    ]
    assert match(email="someone@elsewhere.example") == []
    bad = client.get("/api/grid/rows/match", params={"domain": "a b"}, headers=bearer(admin))
    assert bad.status_code == 422
    assert client.get("/api/grid/rows/match", headers=bearer(admin)).status_code == 422


def test_adding_a_row_creates_the_organization_or_links_the_chosen_one(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    created = add_row(
        client, admin, new_organization={"name": "New LP", "domains": ["newlp.example"]}
    )
    org = client.get(f"/api/organizations/{created['organization_id']}", headers=bearer(admin))
    assert org.json()["organization"]["domains"] == ["newlp.example"]
    existing = make.organization(client, admin, name="Existing LP")
    linked = add_row(client, admin, organization_id=existing["id"])
    assert linked["organization_id"] == existing["id"]
    # A new organization whose domain another one holds: 409 naming it, so the UI offers it.
    clash = client.post(
        "/api/grid/rows",
        json={"new_organization": {"name": "Other", "domains": ["newlp.example"]}},
        headers=bearer(admin),
    )
    assert clash.status_code == 409
    assert clash.json()["organization_id"] == created["organization_id"]
    row_events = events(app, "crm.grid_row.")
    assert [e["type"] for e in row_events] == ["crm.grid_row.created"] * 2
    data = row_events[0]["data"]
    for name in (
        "id",
        "investor_kind",
        "organization_id",
        "contact_id",
        "contact_ids",
        "deleted_at",
    ):
        assert name in data


def test_one_row_per_investor_and_a_deleted_one_comes_back(client: TestClient, admin: str) -> None:
    row = org_row(client, admin, "Harbor Family Office")
    twice = client.post(
        "/api/grid/rows", json={"organization_id": row["organization_id"]}, headers=bearer(admin)
    )
    assert twice.status_code == 409
    assert twice.json()["row_id"] == row["id"]
    client.delete(f"/api/grid/rows/{row['id']}", headers=bearer(admin))
    assert grid(client, admin)["total"] == 0
    back = add_row(client, admin, organization_id=row["organization_id"], flags=["follow_up"])
    assert back["id"] == row["id"]
    assert back["flags"] == ["follow_up"]
    assert back["deleted_at"] is None


def test_exactly_one_investor_is_chosen(client: TestClient, admin: str) -> None:
    org = make.organization(client, admin)
    for body in (
        {},
        {"organization_id": org["id"], "new_organization": {"name": "X"}},
        {"organization_id": "01930000-0000-7000-8000-000000000000"},
    ):
        assert client.post("/api/grid/rows", json=body, headers=bearer(admin)).status_code == 422


def test_typed_custom_columns_check_row_values(client: TestClient, admin: str) -> None:
    made = client.post(
        "/api/grid/columns",
        json={"key": "region", "label": "Region", "type": "select", "options": ["US", "EU"]},
        headers=bearer(admin),
    )
    assert made.status_code == 201, made.text
    client.post(
        "/api/grid/columns",
        json={"key": "ticket", "label": "Ticket", "type": "decimal"},
        headers=bearer(admin),
    )
    row = org_row(client, admin, "Harbor", values={"region": "EU", "ticket": "1000000.50"})
    assert row["values"] == {"region": "EU", "ticket": "1000000.50"}
    refused = edit_row(client, admin, row, 422, values={"region": "Mars"})
    assert "values.region" in refused["detail"]
    assert "values.nope" in edit_row(client, admin, row, 422, values={"nope": 1})["detail"]
    cleared = edit_row(client, admin, row, values={"ticket": None})
    assert cleared["values"] == {"region": "EU"}
    column = made.json()
    renamed = client.patch(
        f"/api/grid/columns/{column['id']}",
        json={"label": "Geography", "width": 140},
        headers=bearer(admin) | {"If-Match": '"1"'},
    )
    assert renamed.status_code == 200
    assert renamed.json()["version"] == 2
    rendered = grid(client, admin)
    assert [c["label"] for c in rendered["columns"] if c["kind"] == "custom"] == [
        "Geography",
        "Ticket",
    ]
    client.delete(f"/api/grid/columns/{column['id']}", headers=bearer(admin))
    purge = client.post(f"/api/admin/grid/columns/{column['id']}/purge", headers=bearer(admin))
    assert purge.status_code == 409  # a row still holds a region


def test_a_row_links_crm_contacts(client: TestClient, admin: str) -> None:
    ada = make.contact(client, admin, emails=[{"email": "ada@harbor.example"}])
    bob = make.contact(client, admin, first_name="Bob", last_name="Smith")
    row = org_row(
        client,
        admin,
        "Harbor",
        contacts=[{"contact_id": ada["id"], "role": "CIO"}, {"contact_id": bob["id"]}],
    )
    assert row["contact_ids"] == [ada["id"], bob["id"]]
    (rendered,) = grid(client, admin)["rows"]
    assert rendered["contacts"][0] == {
        "contact_id": ada["id"],
        "role": "CIO",
        "name": "Ada Lovelace",
        "email": "ada@harbor.example",
    }
    swapped = edit_row(client, admin, row, contacts=[{"contact_id": bob["id"]}])
    assert swapped["contact_ids"] == [bob["id"]]


def test_a_communication_logged_from_the_grid_lands_on_the_investor(
    client: TestClient, admin: str
) -> None:
    (fund,) = funds(client, admin, "Fund III")
    ada = make.contact(client, admin)
    row = org_row(client, admin, "Harbor", contacts=[{"contact_id": ada["id"]}])
    cell = edit_cell(client, admin, row["id"], fund["id"], 0, stage="meeting")
    logged = client.post(
        f"/api/grid/rows/{row['id']}/communications",
        json={
            "type": "call",
            "subject": "Fund III intro",
            "body": "Keen; wants the deck.",
            "occurred_at": "2026-11-20T15:00:00Z",
            "fund_id": fund["id"],
            "contact_id": ada["id"],
            "next_action": "Send deck",
            "next_action_due": "2026-12-01",
            "create_follow_up": True,
        },
        headers=bearer(admin),
    )
    assert logged.status_code == 201, logged.text
    comm = logged.json()
    assert comm["organization_id"] == row["organization_id"]
    assert comm["opportunity_id"] == cell["opportunity_id"]
    assert comm["contact_id"] == ada["id"]
    (rendered,) = grid(client, admin)["rows"]
    assert [n["subject"] for n in rendered["notes"]] == ["Fund III intro"]
    assert rendered["last_touch_at"].startswith("2026-11-20T15:00:00")
    follow_ups = client.get(
        "/api/follow-ups", params={"organization_id": row["organization_id"]}, headers=bearer(admin)
    ).json()
    assert [f["title"] for f in follow_ups["items"]] == ["Send deck"]
    no_cell = client.post(
        f"/api/grid/rows/{row['id']}/communications",
        json={"type": "note", "occurred_at": "2026-11-21T10:00:00Z", "fund_id": "x"},
        headers=bearer(admin),
    )
    assert no_cell.status_code == 422


def test_notes_show_the_latest_communications_on_the_investor(
    client: TestClient, admin: str
) -> None:
    row = org_row(client, admin, "Harbor")
    for day in range(1, 6):
        make.communication(
            client,
            admin,
            organization_id=row["organization_id"],
            subject=f"Day {day}",
            occurred_at=f"2026-11-0{day}T09:00:00Z",
        )
    rendered = grid(client, admin, notes=2)["rows"][0]
    assert [n["subject"] for n in rendered["notes"]] == ["Day 5", "Day 4"]


def test_saved_views_filter_sort_group_and_pick_columns(client: TestClient, admin: str) -> None:
    fund_a, fund_b = funds(client, admin, "Fund III", "Fund IV")
    big = org_row(client, admin, "Big", flags=["priority"], lead_source="Referral")
    small = org_row(client, admin, "Small", lead_source="Conference")
    org_row(client, admin, "Idle")
    edit_cell(
        client, admin, big["id"], fund_a["id"], 0, committed_amount="5000000", stage="committed"
    )
    edit_cell(client, admin, small["id"], fund_a["id"], 0, committed_amount="100000", stage="lead")
    view = client.post(
        "/api/grid/views",
        json={
            "name": "Fund III pipeline",
            "filters": {"field": f"fund.{fund_a['id']}.exists", "op": "eq", "value": True},
            "sorts": [{"field": f"fund.{fund_a['id']}.committed_amount", "direction": "desc"}],
            "columns": ["field:investor", f"fund:{fund_a['id']}", "field:flags"],
            "group_by": "lead_source",
            "frozen_columns": 1,
        },
        headers=bearer(admin),
    )
    assert view.status_code == 201, view.text
    body = grid(client, admin, view_id=view.json()["id"])
    assert [r["investor"]["name"] for r in body["rows"]] == ["Small", "Big"]  # grouped first
    assert [g["key"] for g in body["groups"]] == ["Conference", "Referral"]
    assert [c["ref"] for c in body["columns"]] == [
        "field:investor",
        f"fund:{fund_a['id']}",
        "field:flags",
    ]
    assert body["totals"]["rows"] == 2
    ungrouped = client.patch(
        f"/api/grid/views/{view.json()['id']}",
        json={"group_by": None},
        headers=bearer(admin) | {"If-Match": '"1"'},
    )
    assert ungrouped.status_code == 200
    body = grid(client, admin, view_id=view.json()["id"])
    assert [r["investor"]["name"] for r in body["rows"]] == ["Big", "Small"]
    assert fund_b["id"] not in {c.get("fund_id") for c in body["columns"]}


def test_personal_views_are_their_owners_and_shared_ones_everyones(
    client: TestClient, admin: str
) -> None:
    partner = create_member(client, admin, "paul")
    mine = client.post("/api/grid/views", json={"name": "Mine"}, headers=bearer(admin)).json()
    shared = client.post(
        "/api/grid/views", json={"name": "Team", "is_shared": True}, headers=bearer(admin)
    ).json()
    listed = client.get("/api/grid/views", headers=bearer(partner)).json()["items"]
    assert [v["name"] for v in listed] == ["Team"]
    assert client.get(f"/api/grid/views/{mine['id']}", headers=bearer(partner)).status_code == 404
    assert (
        client.get("/api/grid", params={"view_id": mine["id"]}, headers=bearer(partner)).status_code
        == 404
    )
    edited = client.patch(
        f"/api/grid/views/{shared['id']}",
        json={"frozen_columns": 2},
        headers=bearer(partner) | {"If-Match": '"1"'},
    )
    assert edited.status_code == 200
    unshare = client.patch(
        f"/api/grid/views/{shared['id']}",
        json={"is_shared": False},
        headers=bearer(partner) | {"If-Match": '"2"'},
    )
    assert unshare.status_code == 403
    assert (
        client.delete(f"/api/grid/views/{shared['id']}", headers=bearer(partner)).status_code == 403
    )


def test_a_view_with_an_unknown_path_or_column_is_refused(client: TestClient, admin: str) -> None:
    for body in (
        {"name": "x", "filters": {"field": "password", "op": "eq", "value": 1}},
        {"name": "x", "columns": ["fund:01930000-0000-7000-8000-000000000000"]},
        {"name": "x", "sorts": [{"field": "__class__"}]},
        {"name": "x", "list_key": "nope"},
    ):
        response = client.post("/api/grid/views", json=body, headers=bearer(admin))
        assert response.status_code == 422, body
