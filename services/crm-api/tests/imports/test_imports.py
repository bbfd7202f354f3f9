"""Importing contacts and their organizations from a CSV: dry runs, commits, idempotency, limits."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2 as httpx
from api_helpers import bearer, create_key, events, register_admin
from crm_factories import contact, organization
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crm_api.imports.planner import split_full_name

PATH = "/api/import/contacts"


def upload(
    client: TestClient,
    token: str,
    content: str | bytes,
    *,
    mode: str | None = None,
    mapping: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    data = {}
    if mode is not None:
        data["mode"] = mode
    if mapping is not None:
        data["mapping"] = json.dumps(mapping)
    body = content.encode() if isinstance(content, str) else content
    return client.post(
        PATH,
        files={"file": ("contacts.csv", body, "text/csv")},
        data=data,
        headers=bearer(token) | (headers or {}),
    )


def contacts(client: TestClient, token: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/contacts", params={"limit": 500} | params, headers=bearer(token))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def organizations(client: TestClient, token: str) -> list[dict[str, Any]]:
    response = client.get("/api/organizations", params={"limit": 500}, headers=bearer(token))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def domain_events(app: FastAPI) -> list[dict[str, Any]]:
    return [e for e in events(app) if e["type"].startswith(("crm.contact.", "crm.organization."))]


def by_row(report: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {row["row"]: row for row in report["rows"]}


def error_fields(row: dict[str, Any]) -> set[str]:
    return {error["field"] for error in row.get("errors", [])}


CLEAN = """first_name,last_name,email,title,organization,role
Ada,Lovelace,ADA@harbor.example,Partner,Harbor Capital,CIO
Grace,Hopper,grace@navy.example,Admiral,,
"""


def test_a_dry_run_reports_each_bad_row_and_writes_nothing(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    before = len(events(app))
    csv = (
        "first_name,last_name,email,contact_type,organization\n"
        "Ada,Lovelace,ada@harbor.example,investor,Harbor Capital\n"
        ",,nameless@harbor.example,,\n"
        "Bad,Address,not-an-address,,\n"
        "Odd,Type,odd@harbor.example,whale,\n"
        "Ada,Again,ADA@harbor.example,,\n"
        "No,Email,,,\n"
    )
    response = upload(client, admin, csv)
    assert response.status_code == 200, response.text
    report = response.json()
    rows = by_row(report)
    assert rows[2]["action"] == "create"
    assert error_fields(rows[3]) == {"first_name", "last_name"}
    assert error_fields(rows[4]) == {"email"}
    assert error_fields(rows[5]) == {"contact_type"}
    assert "also on row 2" in rows[6]["errors"][0]["message"]
    assert error_fields(rows[7]) == {"email"}
    assert {rows[n]["action"] for n in range(3, 8)} == {"error"}
    assert report["totals"]["error"] == 5
    assert report["committed"] is False
    assert contacts(client, admin) == []
    assert organizations(client, admin) == []
    assert len(events(app)) == before


def test_a_clean_dry_run_says_which_rows_would_create_and_which_would_update(
    client: TestClient, admin: str
) -> None:
    ada = contact(client, admin, emails=[{"email": "ada@harbor.example"}], title="Analyst")
    response = upload(client, admin, CLEAN, mode="dry_run")
    assert response.status_code == 200, response.text
    report = response.json()
    rows = by_row(report)
    assert rows[2] == {
        "row": 2,
        "action": "update",
        "contact_id": ada["id"],
        "changes": ["affiliations", "title"],
    }
    assert rows[3] == {"row": 3, "action": "create"}
    assert report["totals"] == {
        "rows": 2,
        "create": 1,
        "update": 1,
        "unchanged": 0,
        "skip": 0,
        "error": 0,
        "organizations_created": 1,
    }
    assert report["mapping"] == {
        "first_name": "first_name",
        "last_name": "last_name",
        "email": "email",
        "title": "title",
        "organization": "organization",
        "role": "role",
    }
    assert [c["id"] for c in contacts(client, admin)] == [ada["id"]]
    reread = client.get(f"/api/contacts/{ada['id']}", headers=bearer(admin)).json()["contact"]
    assert (reread["version"], reread["title"]) == (1, "Analyst")


def test_a_commit_creates_new_contacts_and_updates_matched_ones(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    ada = contact(
        client,
        admin,
        emails=[{"email": "ada@harbor.example"}],
        phones=[{"number": "+1 212 555 0100"}],
        title="Analyst",
    )
    csv = (
        "full_name,email,email_2,phone,title,contact_type,source,city,linkedin_url\n"
        "Ada Lovelace,ada@harbor.example,Ada@Home.example,+1 (212) 555-0100,Partner,,,,\n"
        "Ludwig van Beethoven,ludwig@music.example,,+43 1 555 0199,Composer,Investor,"
        "Existing LP,Vienna,linkedin.com/in/ludwig\n"
    )
    response = upload(client, admin, csv, mode="commit")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["committed"] is True
    rows = by_row(report)
    assert rows[2] == {
        "row": 2,
        "action": "update",
        "contact_id": ada["id"],
        "changes": ["emails", "title"],
    }
    assert rows[3]["action"] == "create"

    updated = client.get(f"/api/contacts/{ada['id']}", headers=bearer(admin)).json()["contact"]
    assert updated["version"] == 2
    assert updated["title"] == "Partner"
    assert updated["primary_email"] == "ada@harbor.example"
    assert {e["email"] for e in updated["emails"]} == {"ada@harbor.example", "ada@home.example"}
    assert len(updated["phones"]) == 1

    created_id = rows[3]["contact_id"]
    created = client.get(f"/api/contacts/{created_id}", headers=bearer(admin)).json()["contact"]
    assert (created["first_name"], created["last_name"]) == ("Ludwig", "van Beethoven")
    assert (created["contact_type"], created["source"]) == ("investor", "existing_lp")
    assert created["linkedin_url"] == "https://linkedin.com/in/ludwig"
    assert created["primary_email"] == "ludwig@music.example"
    assert created["phones"] == [{"number": "+43 1 555 0199", "label": None}]
    assert {(e["type"], e["data"]["id"]) for e in domain_events(app)} >= {
        ("crm.contact.updated", ada["id"]),
        ("crm.contact.created", created_id),
    }


def test_committing_the_same_file_twice_changes_nothing_the_second_time(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    contact(client, admin, emails=[{"email": "ada@harbor.example"}])
    first = upload(client, admin, CLEAN, mode="commit")
    assert first.status_code == 200, first.text
    versions = {c["id"]: c["version"] for c in contacts(client, admin)}
    org_versions = {o["id"]: o["version"] for o in organizations(client, admin)}
    published = len(domain_events(app))

    second = upload(client, admin, CLEAN, mode="commit")
    assert second.status_code == 200, second.text
    report = second.json()
    assert [(r["action"], r.get("changes")) for r in report["rows"]] == [("update", None)] * 2
    assert report["totals"]["unchanged"] == 2
    assert report["totals"]["organizations_created"] == 0
    assert {c["id"]: c["version"] for c in contacts(client, admin)} == versions
    assert {o["id"]: o["version"] for o in organizations(client, admin)} == org_versions
    assert len(domain_events(app)) == published


def test_organizations_are_matched_by_domain_or_name_else_created_once_and_linked(
    client: TestClient, admin: str
) -> None:
    harbor = organization(client, admin, name="Harbor Family Office", domains=["harbor.example"])
    csv = (
        "first_name,last_name,email,organization,organization_domain,organization_type,role\n"
        "Ada,Lovelace,ada@x.example,Harbor FO,harbor.example,,CIO\n"
        "Grace,Hopper,grace@x.example,Lighthouse Partners,lighthouse.example,Foundation,\n"
        "Alan,Turing,alan@x.example,LIGHTHOUSE partners,,,Trustee\n"
        "Edsger,Dijkstra,edsger@x.example,,lighthouse.example,,\n"
        "Barbara,Liskov,barbara@x.example,harbor family office,,,\n"
    )
    response = upload(client, admin, csv, mode="commit")
    assert response.status_code == 200, response.text
    assert response.json()["totals"]["organizations_created"] == 1
    orgs = {o["name"]: o for o in organizations(client, admin)}
    assert set(orgs) == {"Harbor Family Office", "Lighthouse Partners"}
    lighthouse = orgs["Lighthouse Partners"]
    assert (lighthouse["type"], lighthouse["domains"]) == ("foundation", ["lighthouse.example"])

    linked = {
        c["primary_email"]: [(a["organization_id"], a["role"]) for a in c["affiliations"]]
        for c in contacts(client, admin)
    }
    assert linked == {
        "ada@x.example": [(harbor["id"], "CIO")],
        "grace@x.example": [(lighthouse["id"], None)],
        "alan@x.example": [(lighthouse["id"], "Trustee")],
        "edsger@x.example": [(lighthouse["id"], None)],
        "barbara@x.example": [(harbor["id"], None)],
    }


def test_an_existing_contact_gains_an_affiliation_only_to_an_organization_it_lacks(
    client: TestClient, admin: str
) -> None:
    harbor = organization(client, admin, name="Harbor Family Office")
    ada = contact(
        client,
        admin,
        emails=[{"email": "ada@x.example"}],
        affiliations=[{"organization_id": harbor["id"], "role": "Board"}],
    )
    already = upload(
        client, admin, "email,organization,role\nada@x.example,harbor family office,CIO\n"
    )
    assert already.json()["rows"] == [{"row": 2, "action": "update", "contact_id": ada["id"]}]

    ada_csv = "email,organization,role\nada@x.example,Lovelace Foundation,Trustee\n"
    committed = upload(client, admin, ada_csv, mode="commit")
    assert committed.status_code == 200, committed.text
    reread = client.get(f"/api/contacts/{ada['id']}", headers=bearer(admin)).json()["contact"]
    roles = sorted((a["role"], a["is_primary"]) for a in reread["affiliations"])
    assert roles == [("Board", True), ("Trustee", False)]


def test_a_commit_with_a_bad_row_is_refused_whole_with_the_report(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    before = len(events(app))
    response = upload(client, admin, CLEAN + "Bad,Row,bad@@x,,,\n", mode="commit")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:lp-crm:problem:import-refused"
    assert problem["report"]["committed"] is False
    assert problem["report"]["totals"]["error"] == 1
    assert by_row(problem["report"])[4]["errors"][0]["field"] == "email"
    assert contacts(client, admin) == []
    assert organizations(client, admin) == []
    assert len(events(app)) == before


def test_the_import_is_one_entry_in_the_interaction_log_naming_every_record(
    client: TestClient, admin: str
) -> None:
    response = upload(client, admin, CLEAN, mode="commit")
    assert response.status_code == 200, response.text
    logged = client.get(
        "/api/interactions", params={"entity_type": "import"}, headers=bearer(admin)
    ).json()["items"]
    assert len(logged) == 1
    entry = logged[0]
    assert entry["action"] == "import.contacts"
    assert entry["targets"][0] == {"type": "import", "id": response.json()["sha256"]}
    assert "2 created" in entry["summary"]
    assert "1 organizations created" in entry["summary"]
    created = [c["id"] for c in contacts(client, admin)]
    [org] = [o["id"] for o in organizations(client, admin)]
    assert {(t["type"], t["id"]) for t in entry["targets"][1:]} == {
        ("organization", org),
        *(("contact", contact_id) for contact_id in created),
    }
    for contact_id in created:
        touches = client.get(
            "/api/interactions", params={"entity_id": contact_id}, headers=bearer(admin)
        ).json()["items"]
        assert [t["seq"] for t in touches] == [entry["seq"]]


def test_a_dry_run_logs_nothing(client: TestClient, admin: str) -> None:
    upload(client, admin, CLEAN)
    logged = client.get("/api/interactions", headers=bearer(admin)).json()["items"]
    assert [e for e in logged if e["action"].startswith(("import.", "contact.", "org"))] == []


def test_an_idempotency_key_replays_the_first_commit(client: TestClient, admin: str) -> None:
    key = {"Idempotency-Key": "import-2026-11-20"}
    first = upload(client, admin, CLEAN, mode="commit", headers=key)
    assert first.status_code == 200, first.text
    replay = upload(client, admin, CLEAN, mode="commit", headers=key)
    assert replay.status_code == 200
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    other = upload(
        client, admin, CLEAN + "Alan,Turing,alan@x.example,,,\n", mode="commit", headers=key
    )
    assert other.status_code == 409


def test_semicolons_a_bom_and_header_names_in_any_case_are_read(
    client: TestClient, admin: str
) -> None:
    csv = "\ufeffFirst Name;LAST_NAME;E mail;Organization Type\nAda;Lovelace;ada@x.example;\n"
    response = upload(client, admin, csv.encode("utf-8"))
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["delimiter"] == ";"
    assert report["mapping"] == {
        "First Name": "first_name",
        "LAST_NAME": "last_name",
        "E mail": "email",
        "Organization Type": "organization_type",
    }
    assert report["rows"] == [{"row": 2, "action": "create"}]


def test_a_mapping_given_names_the_columns_to_use_and_to_ignore(
    client: TestClient, admin: str
) -> None:
    csv = 'Name,Mail,Company,Internal id\n"Lovelace, Ada",ada@x.example,Harbor,17\n\n,,,\n'
    mapping = {"Name": "full_name", "Mail": "email", "Company": "organization", "Internal id": None}
    response = upload(client, admin, csv, mode="commit", mapping=mapping)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["mapping"] == {"Name": "full_name", "Mail": "email", "Company": "organization"}
    assert [r["action"] for r in report["rows"]] == ["create", "skip", "skip"]
    [ada] = contacts(client, admin)
    assert (ada["first_name"], ada["last_name"]) == ("Ada", "Lovelace")


def test_a_mapping_to_a_missing_column_or_an_unknown_field_is_refused(
    client: TestClient, admin: str
) -> None:
    for mapping in ({"Mail": "email"}, {"email": "favourite_colour"}, {"email": "email", "x": 1}):
        response = upload(client, admin, CLEAN, mapping=mapping)
        assert response.status_code == 422, mapping
        assert response.json()["type"] == "urn:lp-crm:problem:invalid-mapping"
    no_email = upload(client, admin, "first_name,last_name\nAda,Lovelace\n")
    assert no_email.status_code == 422
    not_json = client.post(
        PATH,
        files={"file": ("c.csv", CLEAN.encode(), "text/csv")},
        data={"mapping": "{nope"},
        headers=bearer(admin),
    )
    assert not_json.status_code == 422


def test_an_upload_over_the_import_limit_gets_413(make_app: Callable[..., FastAPI]) -> None:
    client = TestClient(make_app(max_import_bytes=4096))
    token = register_admin(client)
    big = CLEAN + "".join(f"P,Q,p{i}@x.example,,,\n" for i in range(400))
    response = upload(client, token, big)
    assert response.status_code == 413
    assert response.json()["type"] == "urn:lp-crm:problem:payload-too-large"


def test_an_import_may_be_larger_than_other_request_bodies(
    make_app: Callable[..., FastAPI],
) -> None:
    client = TestClient(make_app(max_body_bytes=2048))
    token = register_admin(client)
    big = CLEAN + "".join(f"P,Q,p{i}@x.example,,,\n" for i in range(400))
    assert len(big) > 2048
    response = upload(client, token, big)
    assert response.status_code == 200, response.text
    assert response.json()["totals"]["create"] == 402


def test_a_binary_file_is_refused_as_not_a_csv(client: TestClient, admin: str) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    response = upload(client, admin, png)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:lp-crm:problem:not-csv"
    latin1 = upload(
        client, admin, "first_name,last_name,email\nRené,Ça,r@x.example\n".encode("latin-1")
    )
    assert latin1.json()["type"] == "urn:lp-crm:problem:not-csv"
    empty = upload(client, admin, b"")
    assert empty.json()["type"] == "urn:lp-crm:problem:not-csv"


def test_a_request_without_a_file_is_a_422_problem(client: TestClient, admin: str) -> None:
    response = client.post(PATH, data={"mode": "dry_run"}, headers=bearer(admin))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "file" in {e["field"] for e in response.json()["errors"]}


def test_more_rows_than_an_import_takes_are_refused(client: TestClient, admin: str) -> None:
    csv = "email\n" + "a@x.example\n" * 100_001
    response = upload(client, admin, csv)
    assert response.status_code == 422
    assert response.json()["type"] == "urn:lp-crm:problem:too-many-rows"


def test_agents_cannot_import(client: TestClient, admin: str) -> None:
    key = create_key(client, admin, ["read", "write:logged"])["key"]
    response = client.post(
        PATH,
        files={"file": ("c.csv", CLEAN.encode(), "text/csv")},
        headers={"X-API-Key": key},
    )
    assert response.status_code == 403


def test_full_names_are_split_into_first_and_last() -> None:
    assert split_full_name("Ada Lovelace") == ("Ada", "Lovelace")
    assert split_full_name("Lovelace, Ada") == ("Ada", "Lovelace")
    assert split_full_name("Mary Ann Smith") == ("Mary Ann", "Smith")
    assert split_full_name("Ludwig van Beethoven") == ("Ludwig", "van Beethoven")
    assert split_full_name("Martin Luther King Jr.") == ("Martin Luther", "King Jr.")
    assert split_full_name("Cher") == ("Cher", "")


def test_rows_are_numbered_by_the_line_they_start_on(client: TestClient, admin: str) -> None:
    csv = (
        "first_name,last_name,email,notes\n"
        'Ada,Lovelace,ada@x.example,"met at the\nconference"\n'
        "Grace,Hopper,not-an-address,\n"
    )
    report = upload(client, admin, csv).json()
    assert [(r["row"], r["action"]) for r in report["rows"]] == [(2, "create"), (4, "error")]


def test_a_row_whose_addresses_belong_to_two_contacts_or_to_an_earlier_rows_contact_is_an_error(
    client: TestClient, admin: str
) -> None:
    ada = [{"email": f"ada@{domain}.example"} for domain in ("x", "home", "work")]
    contact(client, admin, emails=ada)
    contact(client, admin, first_name="Grace", emails=[{"email": "grace@x.example"}])
    csv = (
        "email,email_2,title\n"
        "ada@x.example,,Partner\n"
        "ada@home.example,,Principal\n"
        "grace@x.example,ada@work.example,\n"
    )
    rows = by_row(upload(client, admin, csv).json())
    assert rows[2]["action"] == "update"
    assert rows[3]["errors"] == [{"field": "email", "message": "matches the same contact as row 2"}]
    [ambiguous] = rows[4]["errors"]
    assert ambiguous["field"] == "email"
    assert ambiguous["message"].startswith("the addresses belong to different contacts")
