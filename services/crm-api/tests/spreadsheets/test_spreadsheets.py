"""A fundraising spreadsheet in and out: investors as rows, funds as columns, amounts in cells;
a dry run changes nothing; an import round-trips through export."""

from __future__ import annotations

import csv
import io
from typing import Any

import crm_factories as make
import pytest
from api_helpers import bearer, events
from fastapi import FastAPI
from fastapi.testclient import TestClient
from grid_helpers import funds, grid, org_row
from openpyxl import Workbook, load_workbook

SHEET = [
    [
        "Investor",
        "Type",
        "Email",
        "Domain",
        "Lead source",
        "Flags",
        "Fund III",
        "Fund III stage",
        "Fund IV",
        "Region",
        "Check size",
    ],
    [
        "Harbor Family Office",
        "organization",
        "",
        "harbor.example",
        "Referral",
        "follow_up",
        "2,500,000.00",
        "Soft commit",
        "",
        "EU",
        "big",
    ],
    [
        "Northwind Endowment",
        "",
        "",
        "northwind.example",
        "",
        "",
        "$1000000",
        "committed",
        "250000.50",
        "US",
        "",
    ],
    [
        "Grace Hopper",
        "person",
        "grace@navy.example",
        "",
        "Conference",
        "priority; follow_up",
        "",
        "",
        "100000",
        "",
        "small",
    ],
]


def csv_bytes(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(
    client: TestClient,
    token: str,
    content: bytes,
    name: str = "grid.csv",
    mode: str = "dry_run",
    expect: int = 200,
    **form: str,
) -> dict[str, Any]:
    response = client.post(
        "/api/grid/import",
        files={"file": (name, content)},
        data={"mode": mode, **form},
        headers=bearer(token),
    )
    assert response.status_code == expect, response.text
    body: dict[str, Any] = response.json()
    return body


def export(client: TestClient, token: str, **params: str) -> bytes:
    response = client.get("/api/grid/export", params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.content


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def test_a_dry_run_reports_each_line_and_changes_nothing(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    funds(client, admin, "Fund III", "Fund IV")
    before = len(events(app))
    report = upload(client, admin, csv_bytes(SHEET))
    assert report["committed"] is False
    assert report["totals"] == {
        "lines": 3,
        "create": 3,
        "update": 0,
        "unchanged": 0,
        "error": 0,
        "cells": 4,
        "new_columns": 2,
    }
    targets = {c["header"]: c["target"] for c in report["columns"]}
    assert targets["Region"] == "new_column:region"
    assert targets["Fund III stage"].endswith(":stage")
    assert targets["Fund III"].endswith(":committed_amount")
    assert len(events(app)) == before
    assert grid(client, admin)["total"] == 0


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_spreadsheet_import_round_trips_through_export(
    client: TestClient, admin: str, kind: str
) -> None:
    fund_3, fund_4 = funds(client, admin, "Fund III", "Fund IV")
    content = csv_bytes(SHEET) if kind == "csv" else xlsx_bytes(SHEET)
    name = f"grid.{kind}"
    committed = upload(client, admin, content, name=name, mode="commit")
    assert committed["committed"] is True
    assert committed["format"] == kind
    body = grid(client, admin)
    by_name = {r["investor"]["name"]: r for r in body["rows"]}
    harbor = by_name["Harbor Family Office"]
    assert harbor["cells"][fund_3["id"]]["committed_amount"] == "2500000.00"
    assert harbor["cells"][fund_3["id"]]["stage"] == "soft_commit"
    assert harbor["flags"] == ["follow_up"]
    assert harbor["values"] == {"region": "EU", "check_size": "big"}
    assert harbor["investor"]["domains"] == ["harbor.example"]
    grace = by_name["Grace Hopper"]
    assert grace["investor"]["kind"] == "contact"
    assert grace["investor"]["email"] == "grace@navy.example"
    assert grace["cells"][fund_4["id"]]["stage"] == "lead"  # filled without a stage
    assert body["totals"]["by_fund"][fund_4["id"]][0]["committed_amount"] == "350000.50"

    exported = export(client, admin, format=kind)
    if kind == "xlsx":
        sheet = load_workbook(io.BytesIO(exported), read_only=True).worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        # Read-only openpyxl leaves out a row's trailing empty cells.
        width = len(rows[0])
        table = [
            dict(zip(rows[0], [*r, *[None] * (width - len(r))], strict=True)) for r in rows[1:]
        ]
    else:
        table = read_csv(exported)
    exported_rows = {str(r["Investor"]): r for r in table}
    for source in SHEET[1:]:
        line = dict(zip(SHEET[0], source, strict=True))
        out = exported_rows[line["Investor"]]
        for fund in ("Fund III", "Fund IV"):
            given = line[fund]
            want = None if not given else given.replace(",", "").replace("$", "")
            got = out[fund]
            assert (None if got in (None, "") else float(got)) == (
                None if want is None else float(want)
            ), (line["Investor"], fund)
        assert (out["Region"] or "") == line["Region"]
    # Importing the export changes nothing: every line is matched (by its row id) and unchanged.
    again = upload(client, admin, exported, name=f"export.{kind}")
    assert again["totals"]["unchanged"] == 3, again["lines"]
    assert {line["matched_by"] for line in again["lines"]} == {"row_id"}


def test_importing_the_same_file_twice_changes_nothing(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    funds(client, admin, "Fund III", "Fund IV")
    upload(client, admin, csv_bytes(SHEET), mode="commit")
    before = len(events(app))
    again = upload(client, admin, csv_bytes(SHEET), mode="commit")
    assert again["totals"]["unchanged"] == 3
    assert {line["matched_by"] for line in again["lines"]} == {"domain", "email"}
    assert len(events(app)) == before


def test_investors_are_matched_by_domain_or_email_never_by_name(
    client: TestClient, admin: str
) -> None:
    funds(client, admin, "Fund III")
    existing = org_row(client, admin, "Harbor FO (old name)")
    client.patch(
        f"/api/organizations/{existing['organization_id']}",
        json={"domains": ["harbor.example"]},
        headers=bearer(admin) | {"If-Match": '"1"'},
    )
    make.organization(client, admin, name="Northwind Endowment")  # same name, no domain: new one
    sheet = [SHEET[0], SHEET[1], SHEET[2]]
    report = upload(client, admin, csv_bytes(sheet), mode="commit")
    matched = {line["investor"]: (line["matched_by"], line["row_id"]) for line in report["lines"]}
    assert matched["Harbor Family Office"] == ("domain", existing["id"])
    assert matched["Northwind Endowment"] == ("new", None)
    orgs = client.get("/api/organizations", params={"q": "Northwind"}, headers=bearer(admin))
    assert orgs.json()["total"] == 2


def test_a_commit_with_errors_is_refused_whole(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    funds(client, admin, "Fund III", "Fund IV")
    bad = [row[:] for row in SHEET]
    bad[2][6] = "a lot"
    bad[3][7] = "maybe"
    bad[3][0] = "Grace"  # a person needs two names
    before = len(events(app))
    refused = upload(client, admin, csv_bytes(bad), mode="commit", expect=422)
    lines = refused["report"]["lines"]
    assert [line["action"] for line in lines] == ["create", "error", "error"]
    assert "amount" in lines[1]["errors"][0]["message"]
    assert len(events(app)) == before
    assert grid(client, admin)["total"] == 0


def test_an_import_is_one_batch_that_undo_takes_back(client: TestClient, admin: str) -> None:
    fund_3, _ = funds(client, admin, "Fund III", "Fund IV")
    upload(client, admin, csv_bytes(SHEET), mode="commit")
    changed = [row[:] for row in SHEET[:2]]
    changed[1][6] = "3000000"
    report = upload(client, admin, csv_bytes(changed), mode="commit")
    assert report["totals"]["update"] == 1
    assert client.post("/api/grid/undo", headers=bearer(admin)).status_code == 200
    harbor = next(
        r for r in grid(client, admin)["rows"] if r["investor"]["name"] == "Harbor Family Office"
    )
    assert harbor["cells"][fund_3["id"]]["committed_amount"] == "2500000.00"


def test_a_mapping_names_what_each_column_is(client: TestClient, admin: str) -> None:
    fund = make.fund(client, admin, name="Fund III")
    sheet = [["LP", "Soft circle"], ["Harbor Family Office", "75000"]]
    report = upload(
        client,
        admin,
        csv_bytes(sheet),
        mode="commit",
        mapping=f'{{"Soft circle": "fund:{fund["id"]}:expected_amount"}}',
    )
    assert report["totals"]["create"] == 1
    cell = grid(client, admin)["rows"][0]["cells"][fund["id"]]
    assert cell["expected_amount"] == "75000.00"
    assert cell["committed_amount"] is None
    bad = upload(client, admin, csv_bytes(sheet), mapping='{"Nope": "ignore"}', expect=422)
    assert "lacks" in bad["detail"]


def test_an_export_follows_a_view(client: TestClient, admin: str) -> None:
    funds(client, admin, "Fund III", "Fund IV")
    upload(client, admin, csv_bytes(SHEET), mode="commit")
    view = client.post(
        "/api/grid/views",
        json={
            "name": "Follow-ups",
            "filters": {"field": "flag.follow_up"},
            "sorts": [{"field": "name"}],
        },
        headers=bearer(admin),
    ).json()
    rows = read_csv(export(client, admin, view_id=view["id"], amounts="all"))
    assert [r["Investor"] for r in rows] == ["Grace Hopper", "Harbor Family Office"]
    assert rows[1]["Fund III committed"] == "2500000.00"
    assert rows[1]["Fund III stage"] == "soft_commit"


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01binary", b"PK\x03\x04not a real workbook", "Investor\n".encode("utf-16")],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(
    client: TestClient, admin: str, content: bytes
) -> None:
    assert upload(client, admin, content, expect=422)["status"] == 422


def test_an_export_never_hands_a_spreadsheet_a_formula(client: TestClient, admin: str) -> None:
    funds(client, admin, "Fund III")
    org_row(client, admin, '=HYPERLINK("http://evil.example","Harbor")', lead_source="+1 call\x07")
    rows = read_csv(export(client, admin))
    assert rows[0]["Investor"] == '\'=HYPERLINK("http://evil.example","Harbor")'
    book = load_workbook(io.BytesIO(export(client, admin, format="xlsx")))
    cell = book.worksheets[0]["B2"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://evil.example","Harbor")'
    assert book.worksheets[0]["F2"].value == "+1 call"  # the control character is dropped
    # The guard comes off again on import: the export imports back unchanged.
    again = upload(client, admin, export(client, admin))
    assert again["totals"]["unchanged"] == 1, again["lines"]
