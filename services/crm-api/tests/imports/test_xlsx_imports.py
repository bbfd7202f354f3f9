"""Importing contacts from an XLSX: the first sheet goes through the same mapping, checks, dry
run, report and jobs as a CSV; a damaged workbook is refused whole."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import httpx2 as httpx
from api_helpers import bearer, events
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import Workbook

PATH = "/api/import/contacts"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CLEAN = """first_name,last_name,email,title,organization,role
Ada,Lovelace,ADA@harbor.example,Partner,Harbor Capital,CIO
Grace,Hopper,grace@navy.example,Admiral,,
"""


def workbook(rows: list[list[Any]], *, extra_sheet: list[list[Any]] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    if extra_sheet is not None:
        other = book.create_sheet("Other")
        for row in extra_sheet:
            other.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def contacts(client: TestClient, token: str) -> list[dict[str, Any]]:
    response = client.get("/api/contacts", params={"limit": 500}, headers=bearer(token))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def rows_of(csv: str) -> list[list[Any]]:
    return [line.split(",") for line in csv.strip().splitlines()]


def upload_xlsx(
    client: TestClient,
    token: str,
    content: bytes,
    *,
    mode: str = "dry_run",
    filename: str = "contacts.xlsx",
    content_type: str = XLSX,
) -> httpx.Response:
    return client.post(
        PATH,
        files={"file": (filename, content, content_type)},
        data={"mode": mode},
        headers=bearer(token),
    )


def test_an_xlsx_dry_run_reports_the_same_rows_as_the_same_csv(
    client: TestClient, admin: str
) -> None:
    from_csv = client.post(
        PATH,
        files={"file": ("contacts.csv", CLEAN.encode(), "text/csv")},
        data={"mode": "dry_run"},
        headers=bearer(admin),
    ).json()
    response = upload_xlsx(client, admin, workbook(rows_of(CLEAN)))
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["format"], report["delimiter"]) == ("xlsx", None)
    assert from_csv["format"] == "csv"
    for key in ("mode", "committed", "mapping", "totals", "rows"):
        assert report[key] == from_csv[key], key
    assert contacts(client, admin) == []


def test_an_xlsx_commit_creates_the_contacts_from_the_first_sheet_only(
    client: TestClient, admin: str
) -> None:
    content = workbook(
        [
            ["First name", "Last name", "Email", "Phone", "Notes"],
            ["Ada", "Lovelace", "ada@harbor.example", 4155550100, date(2024, 5, 1)],
            [None, None, None, None, None],
            ["Grace", "Hopper", "grace@navy.example", None, None],
        ],
        extra_sheet=[["first_name", "email"], ["Eve", "eve@elsewhere.example"]],
    )
    response = upload_xlsx(client, admin, content, mode="commit")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["committed"] is True
    assert [row["row"] for row in report["rows"]] == [2, 4]
    found = {c["emails"][0]["email"]: c for c in contacts(client, admin)}
    assert set(found) == {"ada@harbor.example", "grace@navy.example"}
    assert found["ada@harbor.example"]["phones"][0]["number"] == "4155550100"
    assert found["ada@harbor.example"]["notes"] == "2024-05-01"


def test_an_xlsx_is_recognised_by_its_content_whatever_its_name_and_type(
    client: TestClient, admin: str
) -> None:
    response = upload_xlsx(
        client,
        admin,
        workbook(rows_of(CLEAN)),
        filename="contacts.csv",
        content_type="text/csv",
    )
    assert response.status_code == 200, response.text
    assert response.json()["format"] == "xlsx"


def test_an_xlsx_row_in_error_is_reported_by_its_row_in_the_sheet(
    client: TestClient, admin: str
) -> None:
    content = workbook([["first_name", "last_name", "email"], ["Ada", "Lovelace", "not-an-email"]])
    response = upload_xlsx(client, admin, content, mode="commit")
    assert response.status_code == 422
    assert [(r["row"], r["action"]) for r in response.json()["report"]["rows"]] == [(2, "error")]
    assert contacts(client, admin) == []


def test_a_damaged_xlsx_is_a_problem_and_writes_nothing(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    before = len(events(app))
    truncated = workbook(rows_of(CLEAN))[:300]
    for content in (truncated, b"PK\x03\x04 not really a zip", b""):
        response = upload_xlsx(client, admin, content, mode="commit")
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "urn:lp-crm:problem:not-xlsx"
    assert contacts(client, admin) == []
    assert len(events(app)) == before


def test_an_xlsx_whose_first_sheet_is_empty_is_refused(client: TestClient, admin: str) -> None:
    response = upload_xlsx(client, admin, workbook([]))
    assert response.status_code == 422
    assert "first row must name the columns" in response.json()["detail"]
