"""Feature requests: what the team asks of the CRM, who asked, and where each one stands."""

from __future__ import annotations

from typing import Any

from api_helpers import bearer, create_key, create_member, events
from crm_factories import post
from fastapi import FastAPI
from fastapi.testclient import TestClient


def ask(client: TestClient, token: str, **fields: Any) -> dict[str, Any]:
    return post(
        client, token, "/api/feature-requests", {"title": "Export the pipeline to Excel"} | fields
    )


def versioned(token: str, version: int) -> dict[str, str]:
    return bearer(token) | {"If-Match": f'"{version}"'}


def me(client: TestClient, token: str) -> str:
    user_id: str = client.get("/api/auth/me", headers=bearer(token)).json()["id"]
    return user_id


def test_a_request_is_open_medium_and_requested_by_whoever_asked(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    member = create_member(client, admin)
    asked = ask(client, member, description="Monthly, for the partners' meeting")
    assert asked["status"] == "open"
    assert asked["priority"] == "medium"
    assert asked["requested_by"] == me(client, member)
    (event,) = events(app, "crm.feature_request.")
    assert event["type"] == "crm.feature_request.created"
    assert event["data"] == asked


def test_who_asked_cannot_be_set_or_changed(client: TestClient, admin: str) -> None:
    refused = client.post(
        "/api/feature-requests",
        json={"title": "Dark mode", "requested_by": "someone-else"},
        headers=bearer(admin),
    )
    assert refused.status_code == 422
    asked = ask(client, admin)
    changed = client.patch(
        f"/api/feature-requests/{asked['id']}",
        json={"requested_by": "someone-else"},
        headers=versioned(admin, 1),
    )
    assert changed.status_code == 422


def test_any_member_moves_a_request_through_its_statuses(client: TestClient, admin: str) -> None:
    asked = ask(client, admin)
    member = create_member(client, admin)
    path = f"/api/feature-requests/{asked['id']}"
    version = 1
    for status in ("planned", "in_progress", "done"):
        moved = client.patch(
            path, json={"status": status, "priority": "high"}, headers=versioned(member, version)
        )
        assert moved.status_code == 200, moved.text
        version = moved.json()["version"]
        assert moved.json()["status"] == status
    assert version == 4
    assert moved.json()["requested_by"] == me(client, admin)


def test_unknown_statuses_and_priorities_and_blank_titles_are_refused(
    client: TestClient, admin: str
) -> None:
    for body in (
        {"title": "X", "status": "someday"},
        {"title": "X", "priority": "urgent"},
        {"title": "   "},
    ):
        response = client.post("/api/feature-requests", json=body, headers=bearer(admin))
        assert response.status_code == 422, body
    asked = ask(client, admin)
    nulled = client.patch(
        f"/api/feature-requests/{asked['id']}", json={"status": None}, headers=versioned(admin, 1)
    )
    assert nulled.status_code == 422
    assert nulled.json()["field"] == "status"


def test_an_update_needs_the_current_version(client: TestClient, admin: str) -> None:
    asked = ask(client, admin)
    path = f"/api/feature-requests/{asked['id']}"
    assert client.patch(path, json={"title": "Y"}, headers=bearer(admin)).status_code == 428
    assert client.patch(path, json={"title": "Y"}, headers=versioned(admin, 1)).status_code == 200
    assert client.patch(path, json={"title": "Z"}, headers=versioned(admin, 1)).status_code == 409


def test_lists_filter_by_status_priority_asker_and_text_newest_first(
    client: TestClient, admin: str
) -> None:
    member = create_member(client, admin)
    first = ask(client, admin, title="Dark mode", priority="low")
    second = ask(client, member, title="Bulk tagging", status="planned")
    third = ask(client, member, title="Excel export", priority="high")

    def titles(**params: Any) -> list[str]:
        page = client.get("/api/feature-requests", params=params, headers=bearer(admin)).json()
        return [r["title"] for r in page["items"]]

    assert titles() == [third["title"], second["title"], first["title"]]
    assert titles(status="planned") == ["Bulk tagging"]
    assert titles(priority="high") == ["Excel export"]
    assert titles(requested_by=me(client, admin)) == ["Dark mode"]
    assert titles(q="EXCEL") == ["Excel export"]


def test_a_deleted_request_is_hidden_restorable_and_purged_only_by_an_admin(
    client: TestClient, admin: str
) -> None:
    member = create_member(client, admin)
    asked = ask(client, member)
    path = f"/api/feature-requests/{asked['id']}"
    assert client.delete(path, headers=bearer(member)).json()["deleted_at"] is not None
    assert client.get(path, headers=bearer(member)).status_code == 404
    assert client.post(f"{path}/restore", headers=bearer(member)).json()["deleted_at"] is None
    client.delete(path, headers=bearer(member))
    purge = f"/api/admin/feature-requests/{asked['id']}/purge"
    assert client.post(purge, headers=bearer(member)).status_code == 403
    assert client.post(purge, headers=bearer(admin)).status_code == 204
    assert client.get(path, headers=bearer(admin)).status_code == 404


def test_an_agent_reads_requests_but_cannot_make_them(client: TestClient, admin: str) -> None:
    asked = ask(client, admin)
    agent = {"X-API-Key": create_key(client, admin, ["read", "write:logged"])["key"]}
    assert client.get(f"/api/feature-requests/{asked['id']}", headers=agent).status_code == 200
    refused = client.post("/api/feature-requests", json={"title": "X"}, headers=agent)
    assert refused.status_code == 403
