"""Exports: streamed CSV, JSON and XLSX of every aggregate, filtered like its list, logged."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from api_helpers import bearer, create_key
from crm_factories import (
    communication,
    contact,
    follow_up,
    fund,
    opportunity,
    organization,
    post,
)
from fastapi.testclient import TestClient
from httpx2 import Response
from openpyxl import load_workbook

from crm_api.exports import service as exports
from crm_api.kit.text import guard, unguard

AGGREGATES = [
    "organizations",
    "contacts",
    "funds",
    "opportunities",
    "communications",
    "follow-ups",
    "lp-profiles",
]


def export(client: TestClient, headers: dict[str, str], aggregate: str, **params: Any) -> Response:
    response = client.get(f"/api/export/{aggregate}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response


def csv_rows(response: Response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.text)))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_rows(response: Response) -> list[list[Any]]:
    """The workbook's sheets must be one; its rows, header first."""
    book = load_workbook(io.BytesIO(response.content))
    (sheet,) = book.worksheets
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def as_csv_text(value: Any) -> str:
    """A sheet cell as the CSV writes it, but for the formula guard a sheet's text needs not."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def listed(client: TestClient, token: str, path: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(path, params={"limit": 500, **params}, headers=bearer(token))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def flattened(record: dict[str, Any]) -> dict[str, str]:
    """A record as its CSV row should read (a text a spreadsheet would run as a formula guarded
    by an apostrophe)."""
    return {name: guard(exports.cell(name, value)) for name, value in record.items()}


def test_a_csv_export_round_trips_the_contacts(client: TestClient, admin: str) -> None:
    harbor = organization(client, admin)
    ledger = organization(client, admin, name="Ledger Partners")
    contact(
        client,
        admin,
        title='Partner, "Harbor"',
        notes="line one\nline two",
        emails=[
            {"email": "ada@harbor.example", "is_primary": True},
            {"email": "ada@home.example"},
        ],
        phones=[{"number": "+1 555 0100"}],
        affiliations=[
            {"organization_id": harbor["id"], "is_primary": True},
            {"organization_id": ledger["id"]},
        ],
    )
    contact(client, admin, first_name="Grace", last_name="Hopper")
    rows = csv_rows(export(client, bearer(admin), "contacts", format="csv"))
    expected = [flattened(c) for c in listed(client, admin, "/api/contacts")]
    assert rows == expected
    ada = next(r for r in rows if r["first_name"] == "Ada")
    assert ada["emails"] == "ada@harbor.example; ada@home.example"
    assert ada["affiliations"] == f"{harbor['id']}; {ledger['id']}"
    assert ada["notes"] == "line one\nline two"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", ada["created_at"])


def test_a_csv_export_has_one_header_row_of_the_read_schemas_fields(
    client: TestClient, admin: str
) -> None:
    response = export(client, bearer(admin), "funds", format="csv")
    (header,) = list(csv.reader(io.StringIO(response.text)))
    assert header[:3] == ["id", "version", "created_at"]
    assert {"name", "vintage", "target_size", "currency"} <= set(header)


def test_a_json_export_round_trips_the_opportunities_with_exact_amounts(
    client: TestClient, admin: str
) -> None:
    three = fund(client, admin)
    for name, committed in (("A", "0.10"), ("B", "1000000.20")):
        investor = organization(client, admin, name=name)
        opportunity(
            client,
            admin,
            investor_organization_id=investor["id"],
            fund_id=three["id"],
            committed_amount=committed,
        )
    response = export(client, bearer(admin), "opportunities", format="json")
    records = response.json()
    assert records == listed(client, admin, "/api/opportunities")
    assert sorted(r["committed_amount"] for r in records) == ["0.10", "1000000.20"]
    rows = csv_rows(export(client, bearer(admin), "opportunities", format="csv"))
    assert sorted(r["committed_amount"] for r in rows) == ["0.10", "1000000.20"]
    assert {r["expected_amount"] for r in rows} == {""}


def test_an_export_respects_the_list_filters(client: TestClient, admin: str) -> None:
    contact(client, admin, first_name="Ada", status="active", country="UK")
    contact(client, admin, first_name="Grace", status="active", country="US")
    gone = contact(client, admin, first_name="Gone", country="UK")
    client.delete(f"/api/contacts/{gone['id']}", headers=bearer(admin))
    uk = csv_rows(export(client, bearer(admin), "contacts", country="UK"))
    assert [r["first_name"] for r in uk] == ["Ada"]
    with_deleted = export(
        client, bearer(admin), "contacts", format="json", country="UK", deleted="include"
    ).json()
    assert sorted(r["first_name"] for r in with_deleted) == ["Ada", "Gone"]
    assert (
        export(client, bearer(admin), "contacts", format="json", q="grace").json()[0]["first_name"]
        == "Grace"
    )


def test_an_export_follows_the_list_sort(client: TestClient, admin: str) -> None:
    for name in ("Beta", "Alpha", "Gamma"):
        organization(client, admin, name=name)
    names = [r["name"] for r in csv_rows(export(client, bearer(admin), "organizations"))]
    assert names == ["Alpha", "Beta", "Gamma"]
    backwards = export(client, bearer(admin), "organizations", sort="-name", format="json")
    assert [r["name"] for r in backwards.json()] == ["Gamma", "Beta", "Alpha"]


def test_an_export_reads_past_one_batch_without_skipping_or_repeating(
    client: TestClient, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "BATCH_SIZE", 2)
    made = {contact(client, admin, first_name=f"N{i}", last_name="Same")["id"] for i in range(5)}
    csv_ids = [r["id"] for r in csv_rows(export(client, bearer(admin), "contacts"))]
    json_ids = [r["id"] for r in export(client, bearer(admin), "contacts", format="json").json()]
    assert len(csv_ids) == 5
    assert sorted(csv_ids) == sorted(made)
    assert json_ids == csv_ids


def test_follow_ups_export_past_one_batch_in_due_date_order(
    client: TestClient, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "BATCH_SIZE", 2)
    for due in ("2026-12-03", "2026-12-01", "2026-12-01", "2026-12-02", "2026-12-05"):
        follow_up(client, admin, due_date=due)
    rows = csv_rows(export(client, bearer(admin), "follow-ups"))
    assert [r["due_date"] for r in rows] == [
        "2026-12-01",
        "2026-12-01",
        "2026-12-02",
        "2026-12-03",
        "2026-12-05",
    ]


def test_an_export_is_an_attachment_named_by_aggregate_and_utc_time(
    client: TestClient, admin: str
) -> None:
    as_csv = export(client, bearer(admin), "follow-ups", format="csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert re.fullmatch(
        r"attachment; filename=follow-ups-\d{8}T\d{6}Z\.csv",
        as_csv.headers["content-disposition"],
    )
    as_json = export(client, bearer(admin), "lp-profiles", format="json")
    assert as_json.headers["content-type"].startswith("application/json")
    assert as_json.headers["content-disposition"].endswith(".json")
    assert as_json.json() == []


@pytest.mark.parametrize("aggregate", AGGREGATES)
def test_every_aggregate_exports_as_csv_and_as_json(
    client: TestClient, admin: str, aggregate: str
) -> None:
    ada = contact(client, admin)
    three = fund(client, admin)
    deal = opportunity(client, admin, investor_contact_id=ada["id"], fund_id=three["id"])
    communication(client, admin, contact_id=ada["id"], opportunity_id=deal["id"])
    follow_up(client, admin, contact_id=ada["id"])
    organization(client, admin)
    post(
        client,
        admin,
        "/api/lp-profiles",
        {
            "contact_id": ada["id"],
            "investor_type": "individual",
            "k1_deliveries": [{"tax_year": 2025, "sent_on": "2026-03-01"}],
        },
    )
    records = export(client, bearer(admin), aggregate, format="json").json()
    rows = csv_rows(export(client, bearer(admin), aggregate, format="csv"))
    assert len(records) == len(rows) == 1
    assert rows[0] == flattened(records[0])


def test_an_export_lands_in_the_interaction_log(client: TestClient, admin: str) -> None:
    export(client, bearer(admin), "contacts", format="json", country="UK")
    (entry,) = client.get("/api/interactions", params={"limit": 1}, headers=bearer(admin)).json()[
        "items"
    ]
    assert entry["action"] == "export.contacts"
    assert entry["channel"] == "GET /api/export/contacts"
    assert entry["actor_kind"] == "user"
    assert "json" in entry["summary"]
    assert "country=UK" in entry["summary"]
    assert entry["payload_digest"] is not None


def test_an_agent_key_with_the_read_scope_exports_and_is_logged_as_the_agent(
    client: TestClient, admin: str
) -> None:
    key = create_key(client, admin, ["read"])
    organization(client, admin)
    rows = csv_rows(export(client, {"X-API-Key": key["key"]}, "organizations"))
    assert len(rows) == 1
    (entry,) = client.get("/api/interactions", params={"limit": 1}, headers=bearer(admin)).json()[
        "items"
    ]
    assert (entry["action"], entry["actor_kind"]) == ("export.organizations", "agent")


def test_an_export_needs_credentials_and_refuses_unknown_parameters(
    client: TestClient, admin: str
) -> None:
    assert client.get("/api/export/contacts").status_code == 401
    for params in ({"format": "xml"}, {"limit": "10"}, {"nonsense": "1"}):
        refused = client.get("/api/export/contacts", params=params, headers=bearer(admin))
        assert refused.status_code == 422, params


@pytest.mark.parametrize("export_spec", exports.EXPORTS, ids=lambda e: e.name)
def test_an_export_runs_its_lists_own_query(export_spec: exports.Export) -> None:
    # One query per aggregate for both, so a filter added to a list reaches its export.
    domain = export_spec.source.filtered.__module__
    assert domain.startswith(f"crm_api.{export_spec.source.model.__module__.split('.')[1]}.")


def test_an_export_finds_what_the_list_finds_by_quick_match(client: TestClient, admin: str) -> None:
    contact(client, admin, first_name="Zoë", last_name="Müller")
    contact(client, admin, first_name="Grace", last_name="Hopper")
    exported = export(client, bearer(admin), "contacts", format="json", q="muller").json()
    assert [c["last_name"] for c in exported] == ["Müller"]
    assert [c["last_name"] for c in listed(client, admin, "/api/contacts", q="muller")] == [
        "Müller"
    ]


def test_a_csv_export_never_hands_a_spreadsheet_a_formula_and_its_import_reads_it_back(
    client: TestClient, admin: str
) -> None:
    planted = contact(
        client,
        admin,
        first_name='=HYPERLINK("http://evil.example","click")',
        last_name="@SUM(A1)",
        emails=[{"email": "formula@harbor.example", "is_primary": True}],
        phones=[{"number": "+1 555 0100"}],
    )
    (row,) = csv_rows(export(client, bearer(admin), "contacts", format="csv"))
    assert row["first_name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["last_name"] == "'@SUM(A1)"
    assert row["phones"] == "'+1 555 0100"

    # Those cells as exported, imported again: the apostrophes come off, nothing changes.
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["first_name", "last_name", "email", "phone"])
    writer.writerow([row["first_name"], row["last_name"], row["primary_email"], row["phones"]])
    text = out.getvalue()
    response = client.post(
        "/api/import/contacts",
        files={"file": ("contacts.csv", text.encode(), "text/csv")},
        data={"mode": "dry_run"},
        headers=bearer(admin),
    )
    assert response.status_code == 200, response.text
    (report_row,) = response.json()["rows"]
    assert report_row["action"] == "update"
    assert report_row["contact_id"] == planted["id"]
    assert report_row.get("changes", []) == []


@pytest.mark.parametrize("aggregate", AGGREGATES)
def test_every_aggregate_exports_as_xlsx_with_the_csvs_header_and_cells(
    client: TestClient, admin: str, aggregate: str
) -> None:
    ada = contact(client, admin, phones=[{"number": "+1 555 0100"}])
    three = fund(client, admin)
    deal = opportunity(client, admin, investor_contact_id=ada["id"], fund_id=three["id"])
    communication(client, admin, contact_id=ada["id"], opportunity_id=deal["id"])
    follow_up(client, admin, contact_id=ada["id"])
    organization(client, admin)
    post(
        client,
        admin,
        "/api/lp-profiles",
        {
            "contact_id": ada["id"],
            "investor_type": "individual",
            "k1_deliveries": [{"tax_year": 2025, "sent_on": "2026-03-01"}],
        },
    )
    (csv_row,) = csv_rows(export(client, bearer(admin), aggregate, format="csv"))
    header, *rows = sheet_rows(export(client, bearer(admin), aggregate, format="xlsx"))
    assert header == list(csv_row)
    assert len(rows) == 1
    unguarded = {k: unguard(v) for k, v in csv_row.items()}
    assert dict(zip(header, map(as_csv_text, rows[0]), strict=True)) == unguarded


def test_an_xlsx_export_is_an_attachment_with_the_xlsx_content_type(
    client: TestClient, admin: str
) -> None:
    response = export(client, bearer(admin), "contacts", format="xlsx")
    assert response.headers["content-type"] == XLSX
    assert re.fullmatch(
        r"attachment; filename=contacts-\d{8}T\d{6}Z\.xlsx",
        response.headers["content-disposition"],
    )
    assert sheet_rows(response) == [exports.EXPORTS[1].columns]


def test_an_xlsx_export_respects_the_list_filters_and_order(client: TestClient, admin: str) -> None:
    contact(client, admin, first_name="Ada", country="UK")
    contact(client, admin, first_name="Grace", country="US")
    contact(client, admin, first_name="Alan", country="UK")
    header, *rows = sheet_rows(
        export(client, bearer(admin), "contacts", format="xlsx", country="UK", sort="first_name")
    )
    names = [row[header.index("first_name")] for row in rows]
    assert names == ["Ada", "Alan"]


def test_an_xlsx_export_stores_a_formula_like_text_as_text(client: TestClient, admin: str) -> None:
    contact(client, admin, first_name="=1+1", last_name="@SUM(A1)")
    response = export(client, bearer(admin), "contacts", format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    first, last = (sheet.cell(2, header.index(n) + 1) for n in ("first_name", "last_name"))
    assert (first.value, first.data_type) == ("=1+1", "s")
    assert (last.value, last.data_type) == ("@SUM(A1)", "s")


def test_an_xlsx_export_lands_in_the_interaction_log_as_xlsx(
    client: TestClient, admin: str
) -> None:
    export(client, bearer(admin), "funds", format="xlsx")
    (entry,) = client.get("/api/interactions", params={"limit": 1}, headers=bearer(admin)).json()[
        "items"
    ]
    assert entry["action"] == "export.funds"
    assert "exported funds as xlsx" in entry["summary"]
