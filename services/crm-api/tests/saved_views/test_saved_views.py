"""Saved views of the app's lists: kept per user on the server, shareable, soft-deleted."""

from __future__ import annotations

from typing import Any

from api_helpers import bearer, create_key, create_member, events
from fastapi import FastAPI
from fastapi.testclient import TestClient

VIEWS = "/api/views"


def save(client: TestClient, token: str, **fields: Any) -> dict[str, Any]:
    body = {"list_key": "contacts", "name": "Germany", "params": {"country": "DE"}} | fields
    response = client.post(VIEWS, json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def listed(client: TestClient, token: str, **params: str) -> list[dict[str, Any]]:
    response = client.get(VIEWS, params={"list": "contacts"} | params, headers=bearer(token))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def edit(client: TestClient, token: str, view: dict[str, Any], **fields: Any) -> Any:
    return client.patch(
        f"{VIEWS}/{view['id']}",
        json=fields,
        headers=bearer(token) | {"If-Match": f'"{view["version"]}"'},
    )


def test_a_saved_view_is_returned_published_and_audited(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    view = save(client, admin, name="  Germany  ", params={"country": "DE", "sort": "-name"})
    assert view["name"] == "Germany"
    assert view["params"] == {"country": "DE", "sort": "-name"}
    assert view["is_shared"] is False
    assert view["position"] == 0
    assert view["owner_name"] == "admin"
    (event,) = events(app, "crm.saved_view.")
    assert event["type"] == "crm.saved_view.created"
    assert event["data"]["id"] == view["id"]
    assert event["data"]["params"] == {"country": "DE", "sort": "-name"}
    audit = client.get(
        "/api/audit-log", params={"entity_id": view["id"]}, headers=bearer(admin)
    ).json()
    assert [e["action"] for e in audit["items"]] == ["create"]


def test_views_are_listed_per_list_in_the_order_of_their_positions(
    client: TestClient, admin: str
) -> None:
    first = save(client, admin, name="Germany")
    second = save(client, admin, name="France", params={"country": "FR"})
    save(client, admin, list_key="audit", name="Deletes", params={"action": "delete"})
    assert [v["name"] for v in listed(client, admin)] == ["Germany", "France"]
    assert second["position"] == 1

    moved = edit(client, admin, second, position=0)
    assert moved.status_code == 200, moved.text
    edit(client, admin, first, position=1)
    assert [v["name"] for v in listed(client, admin)] == ["France", "Germany"]
    assert [v["name"] for v in listed(client, admin, list="audit")] == ["Deletes"]


def test_the_owner_renames_and_refilters_a_view(client: TestClient, admin: str) -> None:
    view = save(client, admin)
    renamed = edit(client, admin, view, name="DACH", params={"country": "DE,AT,CH"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.headers["ETag"] == '"2"'
    assert renamed.json()["name"] == "DACH"
    assert renamed.json()["params"] == {"country": "DE,AT,CH"}
    again = client.get(f"{VIEWS}/{view['id']}", headers=bearer(admin))
    assert again.json()["version"] == 2


def test_another_user_sees_shared_views_only(client: TestClient, admin: str) -> None:
    mia = create_member(client, admin)
    personal = save(client, admin, name="Mine")
    shared = save(client, admin, name="Team", is_shared=True)
    own = save(client, mia, name="Mia's")

    seen = listed(client, mia)
    assert [v["name"] for v in seen] == ["Mia's", "Team"]
    assert seen[1]["owner_name"] == "admin"
    assert seen[1]["owner_id"] != own["owner_id"]
    assert client.get(f"{VIEWS}/{personal['id']}", headers=bearer(mia)).status_code == 404
    assert client.get(f"{VIEWS}/{shared['id']}", headers=bearer(mia)).status_code == 200


def test_unsharing_hides_a_view_from_the_others(client: TestClient, admin: str) -> None:
    mia = create_member(client, admin)
    view = save(client, admin, is_shared=True)
    assert [v["id"] for v in listed(client, mia)] == [view["id"]]
    unshared = edit(client, admin, view, is_shared=False)
    assert unshared.json()["is_shared"] is False
    assert listed(client, mia) == []


def test_nobody_but_the_owner_or_an_admin_changes_or_deletes_a_view(
    client: TestClient, admin: str
) -> None:
    mia = create_member(client, admin)
    noah = create_member(client, admin, username="noah")
    view = save(client, mia, is_shared=True)

    refused = edit(client, noah, view, name="Mine now")
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("not-your-view")
    assert client.delete(f"{VIEWS}/{view['id']}", headers=bearer(noah)).status_code == 403

    by_admin = edit(client, admin, view, is_shared=False)
    assert by_admin.status_code == 200, by_admin.text
    assert client.get(f"{VIEWS}/{view['id']}", headers=bearer(noah)).status_code == 404


def test_an_agent_key_reads_views_but_does_not_write_them(client: TestClient, admin: str) -> None:
    view = save(client, admin)
    key = create_key(client, admin, ["read", "write:logged"])
    headers = {"X-API-Key": key["key"]}
    read = client.get(VIEWS, params={"list": "contacts"}, headers=headers)
    assert [v["id"] for v in read.json()["items"]] == [view["id"]]
    body = {"list_key": "contacts", "name": "Agent's"}
    assert client.post(VIEWS, json=body, headers=headers).status_code == 403
    patch = client.patch(
        f"{VIEWS}/{view['id']}", json={"name": "x"}, headers=headers | {"If-Match": '"1"'}
    )
    assert patch.status_code == 403


def test_a_name_belongs_to_one_live_view_of_a_list_per_owner(
    client: TestClient, admin: str
) -> None:
    mia = create_member(client, admin)
    first = save(client, admin, name="Germany")
    clash = client.post(
        VIEWS, json={"list_key": "contacts", "name": "GERMANY"}, headers=bearer(admin)
    )
    assert clash.status_code == 409
    assert clash.json()["field"] == "name"
    assert clash.json()["view_id"] == first["id"]
    save(client, admin, list_key="organizations", name="Germany")
    save(client, mia, name="Germany")

    other = save(client, admin, name="France")
    rename = edit(client, admin, other, name="germany")
    assert rename.status_code == 409
    assert rename.json()["field"] == "name"


def test_a_bad_list_key_or_oversized_params_are_refused(client: TestClient, admin: str) -> None:
    for list_key in ("Contacts", "contacts list", "", "x" * 51, "../audit"):
        response = client.post(
            VIEWS, json={"list_key": list_key, "name": "v"}, headers=bearer(admin)
        )
        assert response.status_code == 422, list_key
    too_many: dict[str, Any] = {f"p{i}": "1" for i in range(41)}
    bad: list[dict[str, Any]] = [too_many, {"q": "x" * 1001}, {"bad key": "1"}, {"q": 3}]
    for params in bad:
        body = {"list_key": "contacts", "name": "v", "params": params}
        response = client.post(VIEWS, json=body, headers=bearer(admin))
        assert response.status_code == 422, params
    assert client.get(VIEWS, params={"list": "No!"}, headers=bearer(admin)).status_code == 422


def test_a_deleted_view_leaves_the_menu_and_comes_back_on_restore(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    view = save(client, admin)
    deleted = client.delete(f"{VIEWS}/{view['id']}", headers=bearer(admin))
    assert deleted.status_code == 200
    assert deleted.json()["deleted_at"] is not None
    assert listed(client, admin) == []
    assert [v["id"] for v in listed(client, admin, deleted="only")] == [view["id"]]
    assert client.get(f"{VIEWS}/{view['id']}", headers=bearer(admin)).status_code == 404

    restored = client.post(f"{VIEWS}/{view['id']}/restore", headers=bearer(admin))
    assert restored.status_code == 200, restored.text
    assert restored.json()["deleted_at"] is None
    assert [v["id"] for v in listed(client, admin)] == [view["id"]]
    types = [e["type"] for e in events(app, "crm.saved_view.")]
    assert types == ["crm.saved_view.created", "crm.saved_view.deleted", "crm.saved_view.restored"]


def test_a_view_is_not_restored_over_a_newer_one_of_its_name(
    client: TestClient, admin: str
) -> None:
    view = save(client, admin)
    client.delete(f"{VIEWS}/{view['id']}", headers=bearer(admin))
    newer = save(client, admin)
    refused = client.post(f"{VIEWS}/{view['id']}/restore", headers=bearer(admin))
    assert refused.status_code == 409
    assert refused.json()["view_id"] == newer["id"]


def test_a_change_needs_the_current_version_in_if_match(client: TestClient, admin: str) -> None:
    view = save(client, admin)
    missing = client.patch(f"{VIEWS}/{view['id']}", json={"name": "x"}, headers=bearer(admin))
    assert missing.status_code == 428
    assert edit(client, admin, view, name="DACH").status_code == 200
    stale = edit(client, admin, view, name="Again")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2


def test_the_snapshot_carries_the_saved_views(app: FastAPI, client: TestClient, admin: str) -> None:
    view = save(client, admin, is_shared=True)
    published = client.post("/api/admin/snapshots", headers=bearer(admin))
    assert published.status_code == 201, published.text
    assert published.json()["counts"]["saved_view"] == 1
    (snapshot,) = events(app, "crm.saved_view.snapshot")
    assert snapshot["data"]["id"] == view["id"]
    assert snapshot["data"]["is_shared"] is True
