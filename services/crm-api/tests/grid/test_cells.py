"""Editing cells and rows: each has its own version; batches are all or nothing; undo."""

from __future__ import annotations

import threading
from typing import Any

from api_helpers import bearer, create_member, events
from fastapi import FastAPI
from fastapi.testclient import TestClient
from grid_helpers import edit_cell, edit_row, funds, grid, org_row


def test_two_partners_editing_different_cells_both_land(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    partner = create_member(client, admin, "paul")
    fund_a, fund_b = funds(client, admin, "Fund III", "Fund IV")
    row = org_row(client, admin, "Harbor Family Office")
    other = org_row(client, admin, "Northwind Endowment")
    # Each partner read the grid at the same moment and edits a different cell from it.
    edits = [
        (admin, row["id"], fund_a["id"], "100.00"),
        (partner, row["id"], fund_b["id"], "200.00"),
        (admin, other["id"], fund_a["id"], "300.00"),
        (partner, other["id"], fund_b["id"], "400.00"),
    ]
    barrier = threading.Barrier(len(edits))
    answers: list[int] = []

    def edit(token: str, row_id: str, fund_id: str, amount: str) -> None:
        barrier.wait()
        response = TestClient(app).patch(
            f"/api/grid/rows/{row_id}/cells/{fund_id}",
            json={"committed_amount": amount},
            headers=bearer(token) | {"If-Match": '"0"'},
        )
        answers.append(response.status_code)

    threads = [threading.Thread(target=edit, args=e) for e in edits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200, 200, 200, 200]
    cells = {
        (r["id"], fund_id): c["committed_amount"]
        for r in grid(client, admin)["rows"]
        for fund_id, c in r["cells"].items()
    }
    assert cells == {(r, f): amount for _, r, f, amount in edits}


def test_a_stale_edit_gets_409_with_the_current_value(client: TestClient, admin: str) -> None:
    (fund,) = funds(client, admin, "Fund III")
    row = org_row(client, admin, "Harbor Family Office")
    first = edit_cell(client, admin, row["id"], fund["id"], 0, committed_amount="100.00")
    edit_cell(client, admin, row["id"], fund["id"], first["version"], committed_amount="150.00")
    stale = edit_cell(
        client, admin, row["id"], fund["id"], first["version"], 409, committed_amount="999.00"
    )
    assert stale["type"].endswith("cell-conflict")
    assert stale["current"]["version"] == 2
    assert stale["current"]["committed_amount"] == "150.00"
    # An empty cell that someone else filled meanwhile: 409 too, not a second opportunity.
    other = org_row(client, admin, "Northwind Endowment")
    edit_cell(client, admin, other["id"], fund["id"], 0, committed_amount="1.00")
    again = edit_cell(client, admin, other["id"], fund["id"], 0, 409, committed_amount="2.00")
    assert again["current"]["committed_amount"] == "1.00"


def test_a_cell_edit_without_if_match_is_428(client: TestClient, admin: str) -> None:
    (fund,) = funds(client, admin, "Fund III")
    row = org_row(client, admin, "Harbor Family Office")
    response = client.patch(
        f"/api/grid/rows/{row['id']}/cells/{fund['id']}",
        json={"committed_amount": "1"},
        headers=bearer(admin),
    )
    assert response.status_code == 428


def test_a_cell_edit_follows_the_opportunity_rules(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    (fund,) = funds(client, admin, "Fund III")
    row = org_row(client, admin, "Harbor Family Office")
    refused = edit_cell(client, admin, row["id"], fund["id"], 0, 422, stage="maybe")
    assert "stage" in refused["detail"]
    assert edit_cell(client, admin, row["id"], fund["id"], 0, 422, committed_amount="1.001")
    lost = edit_cell(client, admin, row["id"], fund["id"], 0, 422, stage="closed_lost")
    assert "lost_reason" in lost["detail"]
    cell = edit_cell(client, admin, row["id"], fund["id"], 0, stage="meeting")
    assert [e["type"] for e in events(app, "crm.opportunity.")] == ["crm.opportunity.created"]
    cleared = edit_cell(client, admin, row["id"], fund["id"], cell["version"], clear=True)
    assert cleared["version"] == 0
    assert cleared["opportunity_id"] is None
    assert events(app, "crm.opportunity.")[-1]["type"] == "crm.opportunity.deleted"


def test_a_row_edit_has_its_own_version(client: TestClient, admin: str) -> None:
    (fund,) = funds(client, admin, "Fund III")
    row = org_row(client, admin, "Harbor Family Office")
    edit_cell(client, admin, row["id"], fund["id"], 0, committed_amount="5.00")
    edited = edit_row(client, admin, row, flags=["follow_up", "priority"], lead_source="Referral")
    assert edited["version"] == 2
    assert edited["flags"] == ["follow_up", "priority"]
    stale = edit_row(client, admin, row, 409, lead_source="Conference")
    assert stale["current"]["lead_source"] == "Referral"


def paste(client: TestClient, token: str, operations: list[dict[str, Any]], expect: int) -> Any:
    response = client.post(
        "/api/grid/batches",
        json={"label": "paste", "operations": operations},
        headers=bearer(token),
    )
    assert response.status_code == expect, response.text
    return response.json()


def test_a_pasted_range_is_all_or_nothing(app: FastAPI, client: TestClient, admin: str) -> None:
    fund_a, fund_b = funds(client, admin, "Fund III", "Fund IV")
    rows = [org_row(client, admin, f"Investor {i}") for i in range(3)]
    before_events = len(events(app))
    good = [
        {
            "type": "cell",
            "row_id": r["id"],
            "fund_id": f["id"],
            "version": 0,
            "changes": {"committed_amount": "10.00"},
        }
        for r in rows
        for f in (fund_a, fund_b)
    ]
    # One bad stage in the middle: nothing of the range lands.
    bad = [*good[:3], {**good[3], "changes": {"stage": "nope"}}, *good[4:]]
    refused = paste(client, admin, bad, 422)
    assert refused["index"] == 3
    assert grid(client, admin)["totals"]["overall"] == []
    assert len(events(app)) == before_events
    # One stale version: 409 naming it, nothing lands.
    edit_cell(client, admin, rows[2]["id"], fund_b["id"], 0, committed_amount="1.00")
    stale = paste(client, admin, good, 409)
    assert stale["index"] == 5
    assert grid(client, admin)["totals"]["overall"][0]["count"] == 1
    # A range with everything current lands whole.
    fresh = [*good[:5], {**good[5], "version": 1}]
    applied = paste(client, admin, fresh, 201)
    assert len(applied["cells"]) == 6
    assert grid(client, admin)["totals"]["overall"][0]["committed_amount"] == "60.00"


def test_a_batch_mixes_cells_and_rows_and_refuses_a_target_twice(
    client: TestClient, admin: str
) -> None:
    (fund,) = funds(client, admin, "Fund III")
    row = org_row(client, admin, "Harbor Family Office")
    cell_op = {
        "type": "cell",
        "row_id": row["id"],
        "fund_id": fund["id"],
        "version": 0,
        "changes": {"committed_amount": "1.00"},
    }
    row_op = {"type": "row", "row_id": row["id"], "version": 1, "changes": {"flags": ["x"]}}
    assert paste(client, admin, [cell_op, cell_op], 422)["index"] == 1
    applied = paste(client, admin, [cell_op, row_op], 201)
    assert applied["rows"][0]["flags"] == ["x"]


def test_undo_reverts_ones_own_last_batch(client: TestClient, admin: str) -> None:
    (fund,) = funds(client, admin, "Fund III")
    row = org_row(client, admin, "Harbor Family Office")
    first = edit_cell(client, admin, row["id"], fund["id"], 0, committed_amount="100.00")
    edit_cell(client, admin, row["id"], fund["id"], first["version"], committed_amount="200.00")
    undone = client.post("/api/grid/undo", headers=bearer(admin))
    assert undone.status_code == 200, undone.text
    cell = grid(client, admin)["rows"][0]["cells"][fund["id"]]
    assert cell["committed_amount"] == "100.00"
    assert cell["version"] == 3  # undo is a new write, not a rewind
    # Undo again: the first edit (which filled the cell) is undone, the cell is empty.
    assert client.post("/api/grid/undo", headers=bearer(admin)).status_code == 200
    assert grid(client, admin)["rows"][0]["cells"] == {}
    nothing = client.post("/api/grid/undo", headers=bearer(admin))
    assert nothing.status_code == 409


def test_undo_refuses_when_someone_changed_the_target_since(client: TestClient, admin: str) -> None:
    partner = create_member(client, admin, "paul")
    (fund,) = funds(client, admin, "Fund III")
    row = org_row(client, admin, "Harbor Family Office")
    mine = edit_cell(client, admin, row["id"], fund["id"], 0, committed_amount="100.00")
    edit_cell(client, partner, row["id"], fund["id"], mine["version"], committed_amount="7.00")
    refused = client.post("/api/grid/undo", headers=bearer(admin))
    assert refused.status_code == 409
    assert grid(client, admin)["rows"][0]["cells"][fund["id"]]["committed_amount"] == "7.00"
    # The partner's own undo is theirs, and works.
    assert client.post("/api/grid/undo", headers=bearer(partner)).status_code == 200
    assert grid(client, admin)["rows"][0]["cells"][fund["id"]]["committed_amount"] == "100.00"


def test_undo_of_a_paste_and_of_a_row_edit(client: TestClient, admin: str) -> None:
    fund_a, fund_b = funds(client, admin, "Fund III", "Fund IV")
    row = org_row(client, admin, "Harbor Family Office", values={})
    edited = edit_row(client, admin, row, flags=["follow_up"])
    paste(
        client,
        admin,
        [
            {
                "type": "cell",
                "row_id": row["id"],
                "fund_id": f["id"],
                "version": 0,
                "changes": {"committed_amount": "5.00"},
            }
            for f in (fund_a, fund_b)
        ]
        + [
            {
                "type": "row",
                "row_id": row["id"],
                "version": edited["version"],
                "changes": {"flags": []},
            }
        ],
        201,
    )
    assert client.post("/api/grid/undo", headers=bearer(admin)).status_code == 200
    rendered = grid(client, admin)["rows"][0]
    assert rendered["cells"] == {}
    assert rendered["flags"] == ["follow_up"]
    assert client.post("/api/grid/undo", headers=bearer(admin)).status_code == 200
    assert grid(client, admin)["rows"][0]["flags"] == []


def test_a_retried_undo_undoes_once(client: TestClient, admin: str) -> None:
    (fund,) = funds(client, admin, "Fund III")
    row = org_row(client, admin, "Harbor Family Office")
    first = edit_cell(client, admin, row["id"], fund["id"], 0, committed_amount="100.00")
    edit_cell(client, admin, row["id"], fund["id"], first["version"], committed_amount="200.00")
    headers = bearer(admin) | {"Idempotency-Key": "undo-1234"}
    assert client.post("/api/grid/undo", headers=headers).status_code == 200
    replay = client.post("/api/grid/undo", headers=headers)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert grid(client, admin)["rows"][0]["cells"][fund["id"]]["committed_amount"] == "100.00"
