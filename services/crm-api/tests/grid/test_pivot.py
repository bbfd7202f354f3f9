"""The pivot: rows are investors, columns funds, cells their opportunities; totals are the sums of
the opportunities."""

from __future__ import annotations

from decimal import Decimal

import crm_factories as make
import pytest
from api_helpers import bearer
from fastapi.testclient import TestClient
from grid_helpers import add_row, edit_cell, funds, grid, org_row


def test_a_cell_is_the_investors_opportunity_in_the_fund(client: TestClient, admin: str) -> None:
    (fund,) = funds(client, admin, "Fund III")
    row = org_row(client, admin, "Harbor Family Office")
    cell = edit_cell(
        client, admin, row["id"], fund["id"], 0, stage="soft_commit", committed_amount="2500000"
    )
    assert cell["version"] == 1
    opportunity = client.get(
        f"/api/opportunities/{cell['opportunity_id']}", headers=bearer(admin)
    ).json()
    assert opportunity["investor_organization_id"] == row["organization_id"]
    assert opportunity["fund_id"] == fund["id"]
    assert opportunity["committed_amount"] == "2500000.00"
    assert opportunity["stage"] == "soft_commit"

    body = grid(client, admin)
    (rendered,) = body["rows"]
    assert rendered["investor"] == {
        "kind": "organization",
        "id": row["organization_id"],
        "name": "Harbor Family Office",
        "email": None,
        "domains": [],
    }
    assert rendered["cells"][fund["id"]]["committed_amount"] == "2500000.00"
    assert [c["ref"] for c in body["columns"] if c["kind"] == "fund"] == [f"fund:{fund['id']}"]


def test_an_opportunity_made_outside_the_grid_shows_in_its_cell(
    client: TestClient, admin: str
) -> None:
    (fund,) = funds(client, admin, "Fund III")
    row = org_row(client, admin, "Northwind Endowment")
    make.opportunity(
        client,
        admin,
        investor_organization_id=row["organization_id"],
        fund_id=fund["id"],
        expected_amount="100.10",
        stage="meeting",
    )
    cell = grid(client, admin)["rows"][0]["cells"][fund["id"]]
    assert (cell["stage"], cell["expected_amount"], cell["version"]) == ("meeting", "100.10", 1)


def test_the_totals_equal_the_sums_of_the_opportunities(client: TestClient, admin: str) -> None:
    fund_a, fund_b = funds(client, admin, "Fund III", "Fund IV")
    amounts = ["0.10", "0.20", "1000000.05", "33.33", "2.50", "999999999.99"]
    stages = ["lead", "meeting", "committed", "committed", "lead", "soft_commit"]
    expected_by_fund: dict[str, Decimal] = {fund_a["id"]: Decimal(0), fund_b["id"]: Decimal(0)}
    expected_by_stage: dict[str, Decimal] = {}
    for index, (amount, stage) in enumerate(zip(amounts, stages, strict=True)):
        row = org_row(client, admin, f"Investor {index}")
        fund = fund_a if index % 2 else fund_b
        edit_cell(
            client,
            admin,
            row["id"],
            fund["id"],
            0,
            stage=stage,
            committed_amount=amount,
            expected_amount=amount,
        )
        expected_by_fund[fund["id"]] += Decimal(amount)
        expected_by_stage[stage] = expected_by_stage.get(stage, Decimal(0)) + Decimal(amount)

    # The opportunities, read through their own API, are the reference.
    listed = client.get("/api/opportunities", params={"limit": 500}, headers=bearer(admin)).json()
    assert sum(Decimal(o["committed_amount"]) for o in listed["items"]) == sum(
        expected_by_fund.values()
    )

    body = grid(client, admin, limit=2)  # totals cover every row, not only the page
    assert len(body["rows"]) == 2
    totals = body["totals"]
    assert totals["rows"] == len(amounts)
    for fund_id, expected in expected_by_fund.items():
        (usd,) = totals["by_fund"][fund_id]
        assert Decimal(usd["committed_amount"]) == expected
        assert Decimal(usd["expected_amount"]) == expected
    for stage, expected in expected_by_stage.items():
        assert Decimal(totals["by_stage"][stage][0]["committed_amount"]) == expected
    assert Decimal(totals["overall"][0]["committed_amount"]) == sum(expected_by_fund.values())
    assert totals["overall"][0]["count"] == len(amounts)

    alone = client.get("/api/grid/totals", headers=bearer(admin)).json()
    assert alone == totals


def test_totals_are_kept_per_currency(client: TestClient, admin: str) -> None:
    usd = make.fund(client, admin, name="Fund USD")
    eur = make.fund(client, admin, name="Fund EUR", currency="EUR")
    row = org_row(client, admin, "Two Currencies")
    edit_cell(client, admin, row["id"], usd["id"], 0, committed_amount="10.00")
    edit_cell(client, admin, row["id"], eur["id"], 0, committed_amount="20.00")
    overall = grid(client, admin)["totals"]["overall"]
    assert {(t["currency"], t["committed_amount"]) for t in overall} == {
        ("EUR", "20.00"),
        ("USD", "10.00"),
    }


def test_pages_cover_every_row_once(client: TestClient, admin: str) -> None:
    for index in range(5):
        org_row(client, admin, f"Investor {index}")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = grid(client, admin, **params)
        seen += [r["id"] for r in body["rows"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5


def test_a_row_whose_investor_is_deleted_leaves_the_grid(client: TestClient, admin: str) -> None:
    row = org_row(client, admin, "Gone Capital")
    client.delete(f"/api/organizations/{row['organization_id']}", headers=bearer(admin))
    assert grid(client, admin)["total"] == 0
    client.post(f"/api/organizations/{row['organization_id']}/restore", headers=bearer(admin))
    assert grid(client, admin)["total"] == 1


def test_an_individual_investor_is_a_contact_row(client: TestClient, admin: str) -> None:
    row = add_row(
        client,
        admin,
        new_contact={"first_name": "Grace", "last_name": "Hopper", "email": "grace@navy.example"},
    )
    assert row["investor_kind"] == "contact"
    investor = grid(client, admin)["rows"][0]["investor"]
    assert investor["name"] == "Grace Hopper"
    assert investor["email"] == "grace@navy.example"


def test_a_bad_cursor_is_refused(client: TestClient, admin: str) -> None:
    response = client.get("/api/grid", params={"cursor": "nonsense"}, headers=bearer(admin))
    assert response.status_code == 422


def test_every_way_of_adding_up_gives_the_same_totals(
    client: TestClient, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fund_a, fund_b = funds(client, admin, "Fund III", "Fund IV")
    for index in range(4):
        row = org_row(client, admin, f"Investor {index}", flags=["keep"] if index else [])
        edit_cell(client, admin, row["id"], fund_a["id"], 0, committed_amount=f"{index}.25")
        edit_cell(
            client, admin, row["id"], fund_b["id"], 0, expected_amount="7.10", stage="meeting"
        )
    gone = org_row(client, admin, "Gone")
    edit_cell(client, admin, gone["id"], fund_a["id"], 0, committed_amount="1000.00")
    client.delete(f"/api/organizations/{gone['organization_id']}", headers=bearer(admin))
    whole = grid(client, admin)["totals"]  # every row: the database adds in one pass
    assert whole["rows"] == 4
    assert whole["overall"][0]["committed_amount"] == "7.00"
    assert whole["overall"][0]["expected_amount"] == "28.40"
    # A view that reads cells adds them up in Python from the loaded cells.
    reads_cells = client.post(
        "/api/grid/views",
        json={"name": "x", "filters": {"field": f"fund.{fund_a['id']}.exists"}},
        headers=bearer(admin),
    ).json()
    assert grid(client, admin, view_id=reads_cells["id"])["totals"] == whole
    keep = client.post(
        "/api/grid/views",
        json={"name": "keep", "filters": {"field": "flag.keep"}},
        headers=bearer(admin),
    ).json()
    few = grid(client, admin, view_id=keep["id"])["totals"]  # by investor id
    assert few["overall"][0]["committed_amount"] == "6.75"
    assert few["rows"] == 3
    monkeypatch.setattr("crm_api.grid.pivot.repository._WHOLE", 1)  # many rows, not all
    assert grid(client, admin, view_id=keep["id"])["totals"] == few
