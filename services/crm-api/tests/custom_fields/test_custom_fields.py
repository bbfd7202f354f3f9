"""Custom fields: admin-defined, typed fields of contacts, organizations and opportunities."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from api_helpers import bearer, create_key, create_member, events
from crm_factories import contact, fund, opportunity, organization
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from crm_api.__main__ import DEFINITION
from crm_common import migrations
from crm_common.db import Database


def define(client: TestClient, token: str, **fields: Any) -> dict[str, Any]:
    body = {"entity": "contact", "key": "nickname", "label": "Nickname", "type": "text"} | fields
    response = client.post("/api/admin/custom-fields", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    defined: dict[str, Any] = response.json()
    return defined


def versioned(token: str, version: int) -> dict[str, str]:
    return bearer(token) | {"If-Match": f'"{version}"'}


def new_contact(client: TestClient, token: str, values: dict[str, Any]) -> Any:
    return client.post(
        "/api/contacts",
        json={"first_name": "Ada", "last_name": "Lovelace", "custom_fields": values},
        headers=bearer(token),
    )


def test_an_admin_defines_a_field_everyone_reads_it_and_the_audit_log_keeps_it(
    client: TestClient, admin: str
) -> None:
    defined = define(client, admin, key="ticket_size", label="Ticket size", type="decimal")
    define(client, admin, entity="organization", key="aum", label="AUM", type="decimal")
    assert defined["position"] == 0
    assert defined["is_active"] is True
    member = create_member(client, admin)
    listed = client.get(
        "/api/custom-fields", params={"entity": "contact"}, headers=bearer(member)
    ).json()
    assert [f["key"] for f in listed] == ["ticket_size"]
    audit = client.get(
        "/api/audit-log", params={"entity_id": defined["id"]}, headers=bearer(admin)
    ).json()
    assert [e["action"] for e in audit["items"]] == ["create"]
    assert audit["items"][0]["after"]["key"] == "ticket_size"


def test_a_member_cannot_define_or_change_fields(client: TestClient, admin: str) -> None:
    defined = define(client, admin)
    member = bearer(create_member(client, admin))
    body = {"entity": "contact", "key": "x", "label": "X", "type": "text"}
    assert client.post("/api/admin/custom-fields", json=body, headers=member).status_code == 403
    path = f"/api/admin/custom-fields/{defined['id']}"
    assert client.patch(path, json={"label": "Y"}, headers=member).status_code == 403


def test_a_key_is_unique_per_entity(client: TestClient, admin: str) -> None:
    first = define(client, admin)
    clash = client.post(
        "/api/admin/custom-fields",
        json={"entity": "contact", "key": "nickname", "label": "Again", "type": "text"},
        headers=bearer(admin),
    )
    assert clash.status_code == 409
    assert clash.json()["custom_field_id"] == first["id"]
    assert define(client, admin, entity="opportunity")["key"] == "nickname"


@pytest.mark.parametrize("key", ["Nickname", "1st", "nick-name", "", "a" * 51, "_x"])
def test_a_key_must_be_a_lower_case_identifier(client: TestClient, admin: str, key: str) -> None:
    response = client.post(
        "/api/admin/custom-fields",
        json={"entity": "contact", "key": key, "label": "X", "type": "text"},
        headers=bearer(admin),
    )
    assert response.status_code == 422


def test_select_fields_need_options_and_other_fields_take_none(
    client: TestClient, admin: str
) -> None:
    for body in (
        {"key": "stage", "type": "select", "options": []},
        {"key": "stage", "type": "multiselect", "options": ["a", "a"]},
        {"key": "stage", "type": "text", "options": ["a"]},
    ):
        response = client.post(
            "/api/admin/custom-fields",
            json={"entity": "contact", "label": "Stage"} | body,
            headers=bearer(admin),
        )
        assert response.status_code == 422, body
        assert response.json()["field"] == "options"


def test_label_order_requirement_and_activity_change_but_key_entity_and_type_never_do(
    client: TestClient, admin: str
) -> None:
    defined = define(client, admin)
    path = f"/api/admin/custom-fields/{defined['id']}"
    for frozen in ({"key": "alias"}, {"entity": "organization"}, {"type": "number"}):
        assert client.patch(path, json=frozen, headers=bearer(admin)).status_code == 422, frozen
    changed = client.patch(
        path,
        json={"label": "Known as", "position": 5, "is_required": True, "is_active": False},
        headers=bearer(admin),
    )
    assert changed.status_code == 200
    assert {k: changed.json()[k] for k in ("label", "position", "is_required", "is_active")} == {
        "label": "Known as",
        "position": 5,
        "is_required": True,
        "is_active": False,
    }
    audit = client.get(
        "/api/audit-log", params={"entity_id": defined["id"]}, headers=bearer(admin)
    ).json()
    assert [e["action"] for e in audit["items"]] == ["update", "create"]


GOOD = [
    ("text", {}, "Prefers email", "Prefers email"),
    ("number", {}, 42, 42),
    ("number", {}, 2.5, 2.5),
    ("decimal", {}, "1250000.50", "1250000.50"),
    ("decimal", {}, 3, "3"),
    ("decimal", {}, "1E+3", "1000"),
    ("date", {}, "2026-11-25", "2026-11-25"),
    ("boolean", {}, True, True),
    ("select", {"options": ["seed", "growth"]}, "growth", "growth"),
    ("multiselect", {"options": ["a", "b", "c"]}, ["c", "a", "c"], ["a", "c"]),
    ("url", {}, "https://harbor.example/team", "https://harbor.example/team"),
    ("email", {}, "Ada@Example.COM", "ada@example.com"),
]


@pytest.mark.parametrize(("type_", "extra", "given", "stored"), GOOD)
def test_a_value_of_the_right_type_is_stored_in_its_plain_form(
    client: TestClient, admin: str, type_: str, extra: dict[str, Any], given: Any, stored: Any
) -> None:
    define(client, admin, key="value", type=type_, **extra)
    response = new_contact(client, admin, {"value": given})
    assert response.status_code == 201, response.text
    assert response.json()["custom_fields"] == {"value": stored}


BAD = [
    ("text", {}, 5),
    ("text", {}, "x" * 10_001),
    ("number", {}, "42"),
    ("number", {}, True),
    ("number", {}, 10**16),
    ("decimal", {}, "twelve"),
    ("decimal", {}, "NaN"),
    ("decimal", {}, "1E+99"),
    ("decimal", {}, [1]),
    ("date", {}, "25/11/2026"),
    ("date", {}, "2026-02-30"),
    ("date", {}, 20261125),
    ("boolean", {}, "yes"),
    ("select", {"options": ["seed", "growth"]}, "buyout"),
    ("multiselect", {"options": ["a", "b"]}, "a"),
    ("multiselect", {"options": ["a", "b"]}, ["a", "z"]),
    ("url", {}, "ftp://harbor.example"),
    ("email", {}, "not-an-address"),
]


@pytest.mark.parametrize(("type_", "extra", "given"), BAD)
def test_a_value_of_the_wrong_type_is_refused_naming_its_field(
    client: TestClient, admin: str, type_: str, extra: dict[str, Any], given: Any
) -> None:
    define(client, admin, key="value", type=type_, **extra)
    response = new_contact(client, admin, {"value": given})
    assert response.status_code == 422, given
    assert response.json()["field"] == "custom_fields.value"


def test_a_key_no_field_has_is_refused(client: TestClient, admin: str) -> None:
    define(client, admin, entity="organization")  # another entity's field is not the contact's
    response = new_contact(client, admin, {"nickname": "Ada"})
    assert response.status_code == 422
    assert response.json()["field"] == "custom_fields.nickname"


def test_a_required_field_must_be_given_on_create_and_cannot_be_removed(
    client: TestClient, admin: str
) -> None:
    define(client, admin, is_required=True)
    for values in ({}, {"nickname": None}, {"nickname": ""}):
        missing = new_contact(client, admin, values)
        assert missing.status_code == 422, values
        assert missing.json()["field"] == "custom_fields.nickname"
    made = new_contact(client, admin, {"nickname": "Ada"}).json()
    removed = client.patch(
        f"/api/contacts/{made['id']}",
        json={"custom_fields": {"nickname": None}},
        headers=versioned(admin, 1),
    )
    assert removed.status_code == 422


def test_an_update_merges_values_and_a_null_removes_one(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    define(client, admin)
    define(client, admin, key="score", label="Score", type="number")
    made = new_contact(client, admin, {"nickname": "Ada", "score": 3}).json()
    path = f"/api/contacts/{made['id']}"
    merged = client.patch(path, json={"custom_fields": {"score": 4}}, headers=versioned(admin, 1))
    assert merged.json()["custom_fields"] == {"nickname": "Ada", "score": 4}
    assert merged.json()["version"] == 2
    removed = client.patch(
        path, json={"custom_fields": {"nickname": None}}, headers=versioned(admin, 2)
    )
    assert removed.json()["custom_fields"] == {"score": 4}
    assert events(app, "crm.contact.")[-1]["data"]["custom_fields"] == {"score": 4}


def test_a_retired_field_takes_no_new_values_but_records_keep_theirs(
    client: TestClient, admin: str
) -> None:
    defined = define(client, admin)
    made = new_contact(client, admin, {"nickname": "Ada"}).json()
    client.patch(
        f"/api/admin/custom-fields/{defined['id']}",
        json={"is_active": False},
        headers=bearer(admin),
    )
    assert new_contact(client, admin, {"nickname": "Grace"}).status_code == 422
    path = f"/api/contacts/{made['id']}"
    kept = client.patch(path, json={"title": "Countess"}, headers=versioned(admin, 1))
    assert kept.json()["custom_fields"] == {"nickname": "Ada"}


def test_an_option_a_record_has_cannot_be_removed(client: TestClient, admin: str) -> None:
    defined = define(client, admin, key="focus", type="multiselect", options=["seed", "growth"])
    new_contact(client, admin, {"focus": ["growth"]})
    path = f"/api/admin/custom-fields/{defined['id']}"
    refused = client.patch(path, json={"options": ["seed"]}, headers=bearer(admin))
    assert refused.status_code == 409
    assert refused.json()["options"] == ["growth"]
    changed = client.patch(path, json={"options": ["growth", "buyout"]}, headers=bearer(admin))
    assert changed.status_code == 200
    assert changed.json()["options"] == ["growth", "buyout"]


def test_organizations_and_opportunities_carry_their_own_fields(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    define(client, admin, entity="organization", key="aum", label="AUM", type="decimal")
    define(client, admin, entity="opportunity", key="source_deal", label="Deal", type="boolean")
    org = organization(client, admin, custom_fields={"aum": "2500000000"})
    assert org["custom_fields"] == {"aum": "2500000000"}
    made = fund(client, admin)
    opp = opportunity(
        client,
        admin,
        investor_organization_id=org["id"],
        fund_id=made["id"],
        custom_fields={"source_deal": False},
    )
    assert opp["custom_fields"] == {"source_deal": False}
    assert events(app, "crm.opportunity.")[-1]["data"]["custom_fields"] == {"source_deal": False}
    wrong = client.patch(
        f"/api/organizations/{org['id']}",
        json={"custom_fields": {"source_deal": True}},
        headers=versioned(admin, 1),
    )
    assert wrong.status_code == 422
    assert wrong.json()["field"] == "custom_fields.source_deal"


def test_a_record_without_values_has_an_empty_object(client: TestClient, admin: str) -> None:
    assert contact(client, admin)["custom_fields"] == {}


def test_rows_written_before_the_migration_get_an_empty_object(database_url: str) -> None:
    cfg = migrations.alembic_config(
        database_url, versions=DEFINITION.versions, metadata=DEFINITION.metadata
    )
    command.upgrade(cfg, "crm_api_0005")
    db = Database(database_url)
    try:
        with db.transaction() as session:
            session.execute(
                text(
                    "INSERT INTO organization (id, name, type, description, version, created_at,"
                    " updated_at, created_by, updated_by) VALUES ('org-1', 'Harbor', 'other', '',"
                    " 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'test', 'test')"
                )
            )
        command.upgrade(cfg, "heads")
        with db.session() as session:
            stored = session.execute(
                text("SELECT custom_fields FROM organization WHERE id = 'org-1'")
            ).scalar_one()
    finally:
        db.dispose()
    assert stored in ({}, "{}")


def test_an_agent_reads_definitions_but_cannot_define_them(client: TestClient, admin: str) -> None:
    define(client, admin)
    agent = {"X-API-Key": create_key(client, admin, ["read", "write:logged"])["key"]}
    assert client.get("/api/custom-fields", headers=agent).status_code == 200
    body = {"entity": "contact", "key": "x", "label": "X", "type": "text"}
    assert client.post("/api/admin/custom-fields", json=body, headers=agent).status_code == 403


def test_the_list_filters_by_entity_and_activity_in_form_order(
    client: TestClient, admin: str
) -> None:
    define(client, admin, key="b_field", position=2)
    define(client, admin, key="a_field", position=1)
    retired = define(client, admin, key="c_field")
    client.patch(
        f"/api/admin/custom-fields/{retired['id']}",
        json={"is_active": False},
        headers=bearer(admin),
    )
    every = client.get("/api/custom-fields", headers=bearer(admin)).json()
    assert [f["key"] for f in every] == ["a_field", "b_field", "c_field"]
    active = client.get(
        "/api/custom-fields", params={"is_active": "true"}, headers=bearer(admin)
    ).json()
    assert [f["key"] for f in active] == ["a_field", "b_field"]
