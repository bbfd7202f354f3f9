"""Tags: a managed palette, linked to organizations, contacts and opportunities by real keys."""

from __future__ import annotations

from typing import Any

import pytest
from api_helpers import bearer, create_key, events
from crm_factories import contact, fund, opportunity, organization, post
from fastapi import FastAPI
from fastapi.testclient import TestClient


def tag(client: TestClient, token: str, **fields: Any) -> dict[str, Any]:
    return post(client, token, "/api/tags", {"name": "Warm intro"} | fields)


def versioned(token: str, version: int) -> dict[str, str]:
    return bearer(token) | {"If-Match": f'"{version}"'}


def a_record(client: TestClient, token: str, kind: str, **fields: Any) -> dict[str, Any]:
    """A new organization, contact or opportunity (on an organization, in a new fund)."""
    if kind == "organizations":
        return organization(client, token, **fields)
    if kind == "contacts":
        return contact(client, token, **fields)
    investor = organization(client, token, name="Investor")
    made = fund(client, token, name=f"Fund for {investor['id']}")
    return opportunity(
        client, token, investor_organization_id=investor["id"], fund_id=made["id"], **fields
    )


KINDS = ["organizations", "contacts", "opportunities"]


def test_a_created_tag_is_returned_published_and_audited(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    created = tag(client, admin, name="  LP prospect ", color="#A1B2C3", description="hot")
    assert created["name"] == "LP prospect"
    assert created["color"] == "#a1b2c3"
    assert created["version"] == 1
    (event,) = events(app, "crm.tag.")
    assert event["type"] == "crm.tag.created"
    assert event["data"] == created
    audit = client.get(
        "/api/audit-log", params={"entity_id": created["id"]}, headers=bearer(admin)
    ).json()
    assert [e["action"] for e in audit["items"]] == ["create"]


def test_a_colour_must_be_a_hex_rrggbb(client: TestClient, admin: str) -> None:
    for color in ("red", "#fff", "#12345g", "123456"):
        response = client.post(
            "/api/tags", json={"name": "VIP", "color": color}, headers=bearer(admin)
        )
        assert response.status_code == 422, color
    assert tag(client, admin)["color"] == "#64748b"


def test_a_tag_name_belongs_to_one_live_tag_whatever_its_case(
    client: TestClient, admin: str
) -> None:
    first = tag(client, admin, name="VIP")
    clash = client.post("/api/tags", json={"name": "vip"}, headers=bearer(admin))
    assert clash.status_code == 409
    assert clash.json()["tag_id"] == first["id"]
    other = tag(client, admin, name="Board")
    rename = client.patch(
        f"/api/tags/{other['id']}", json={"name": "Vip"}, headers=versioned(admin, 1)
    )
    assert rename.status_code == 409

    client.delete(f"/api/tags/{first['id']}", headers=bearer(admin))
    second = tag(client, admin, name="vip")
    restore = client.post(f"/api/tags/{first['id']}/restore", headers=bearer(admin))
    assert restore.status_code == 409
    assert restore.json()["tag_id"] == second["id"]


def test_tags_are_listed_by_name_with_a_text_match(client: TestClient, admin: str) -> None:
    for name in ("Warm intro", "Board", "Co-investor"):
        tag(client, admin, name=name)
    listed = client.get("/api/tags", headers=bearer(admin)).json()
    assert [t["name"] for t in listed["items"]] == ["Board", "Co-investor", "Warm intro"]
    found = client.get("/api/tags", params={"q": "INVEST"}, headers=bearer(admin)).json()
    assert [t["name"] for t in found["items"]] == ["Co-investor"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_record_carries_its_tags_sorted_by_name_in_its_read_and_its_event(
    app: FastAPI, client: TestClient, admin: str, kind: str
) -> None:
    warm, board = tag(client, admin), tag(client, admin, name="Board", color="#000000")
    record = a_record(client, admin, kind, tag_ids=[warm["id"], board["id"], warm["id"]])
    assert record["tags"] == [
        {"id": board["id"], "name": "Board", "color": "#000000"},
        {"id": warm["id"], "name": "Warm intro", "color": "#64748b"},
    ]
    singular = {"organizations": "organization", "contacts": "contact"}.get(kind, "opportunity")
    assert events(app, f"crm.{singular}.")[-1]["data"]["tags"] == record["tags"]


@pytest.mark.parametrize("kind", KINDS)
def test_an_update_replaces_the_tag_list(client: TestClient, admin: str, kind: str) -> None:
    warm, board = tag(client, admin), tag(client, admin, name="Board")
    record = a_record(client, admin, kind, tag_ids=[warm["id"]])
    path = f"/api/{kind}/{record['id']}"
    updated = client.patch(path, json={"tag_ids": [board["id"]]}, headers=versioned(admin, 1))
    assert updated.status_code == 200, updated.text
    assert [t["name"] for t in updated.json()["tags"]] == ["Board"]
    assert updated.json()["version"] == 2
    same = client.patch(path, json={"tag_ids": [board["id"]]}, headers=versioned(admin, 2))
    assert same.json()["version"] == 2
    cleared = client.patch(path, json={"tag_ids": []}, headers=versioned(admin, 2))
    assert cleared.json()["tags"] == []


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_or_deleted_tag_is_refused_naming_tag_ids(
    client: TestClient, admin: str, kind: str
) -> None:
    gone = tag(client, admin, name="Gone")
    client.delete(f"/api/tags/{gone['id']}", headers=bearer(admin))
    record = a_record(client, admin, kind)
    for tag_id in ("no-such-tag", gone["id"]):
        response = client.patch(
            f"/api/{kind}/{record['id']}", json={"tag_ids": [tag_id]}, headers=versioned(admin, 1)
        )
        assert response.status_code == 422, tag_id
        assert response.json()["field"] == "tag_ids"


def test_a_create_with_an_unknown_tag_is_refused_and_writes_nothing(
    client: TestClient, admin: str
) -> None:
    response = client.post(
        "/api/contacts",
        json={"first_name": "Ada", "last_name": "Lovelace", "tag_ids": ["nope"]},
        headers=bearer(admin),
    )
    assert response.status_code == 422
    assert response.json()["field"] == "tag_ids"
    assert client.get("/api/contacts", headers=bearer(admin)).json()["total"] == 0


@pytest.mark.parametrize("kind", KINDS)
def test_lists_filter_by_tag(client: TestClient, admin: str, kind: str) -> None:
    warm = tag(client, admin)
    tagged = a_record(client, admin, kind, tag_ids=[warm["id"]])
    a_record(client, admin, kind)
    page = client.get(f"/api/{kind}", params={"tag_id": warm["id"]}, headers=bearer(admin)).json()
    assert [r["id"] for r in page["items"]] == [tagged["id"]]
    assert page["total"] == 1


def test_a_deleted_tag_leaves_its_records_and_comes_back_with_a_restore(
    client: TestClient, admin: str
) -> None:
    warm, board = tag(client, admin), tag(client, admin, name="Board")
    org = organization(client, admin, tag_ids=[warm["id"], board["id"]])
    path = f"/api/organizations/{org['id']}"
    client.delete(f"/api/tags/{warm['id']}", headers=bearer(admin))
    during = client.get(path, headers=bearer(admin)).json()["organization"]
    assert [t["name"] for t in during["tags"]] == ["Board"]
    # Replacing the live tags keeps the hidden link to the deleted one.
    client.patch(path, json={"tag_ids": []}, headers=versioned(admin, 1))
    client.post(f"/api/tags/{warm['id']}/restore", headers=bearer(admin))
    after = client.get(path, headers=bearer(admin)).json()["organization"]
    assert [t["name"] for t in after["tags"]] == ["Warm intro"]


def test_a_linked_tag_cannot_be_purged_until_no_record_has_it(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    warm = tag(client, admin)
    person = contact(client, admin, tag_ids=[warm["id"]])
    purge = f"/api/admin/tags/{warm['id']}/purge"
    assert client.post(purge, headers=bearer(admin)).status_code == 422  # still live
    client.delete(f"/api/tags/{warm['id']}", headers=bearer(admin))
    refused = client.post(purge, headers=bearer(admin))
    assert refused.status_code == 409
    assert refused.json()["records"] == 1

    client.post(f"/api/tags/{warm['id']}/restore", headers=bearer(admin))
    client.patch(f"/api/contacts/{person['id']}", json={"tag_ids": []}, headers=versioned(admin, 1))
    client.delete(f"/api/tags/{warm['id']}", headers=bearer(admin))
    assert client.post(purge, headers=bearer(admin)).status_code == 204
    assert events(app, "crm.tag.")[-1]["type"] == "crm.tag.purged"


def test_purging_a_tagged_record_drops_its_links(client: TestClient, admin: str) -> None:
    warm = tag(client, admin)
    org = organization(client, admin, tag_ids=[warm["id"]])
    client.delete(f"/api/organizations/{org['id']}", headers=bearer(admin))
    assert (
        client.post(
            f"/api/admin/organizations/{org['id']}/purge", headers=bearer(admin)
        ).status_code
        == 204
    )
    client.delete(f"/api/tags/{warm['id']}", headers=bearer(admin))
    assert (
        client.post(f"/api/admin/tags/{warm['id']}/purge", headers=bearer(admin)).status_code == 204
    )


def test_an_agent_reads_tags_but_cannot_write_them(client: TestClient, admin: str) -> None:
    warm = tag(client, admin)
    agent = {"X-API-Key": create_key(client, admin, ["read", "write:logged"])["key"]}
    assert client.get(f"/api/tags/{warm['id']}", headers=agent).status_code == 200
    assert client.post("/api/tags", json={"name": "X"}, headers=agent).status_code == 403
