"""Communications and follow-ups: event time, attendees, next actions that become follow-ups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api_helpers import bearer, create_key, events
from crm_factories import communication, contact, follow_up, organization
from fastapi import FastAPI
from fastapi.testclient import TestClient


def test_a_call_is_logged_on_a_contact_with_attendees_and_its_own_event_time(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    ada, grace = (
        contact(client, admin),
        contact(client, admin, first_name="Grace", last_name="Hopper"),
    )
    logged = communication(
        client,
        admin,
        contact_id=ada["id"],
        attendee_ids=[grace["id"]],
        body="Discussed Fund III",
        occurred_at="2026-11-02T09:30:00+01:00",
    )
    assert logged["occurred_at"].startswith("2026-11-02T08:30:00")
    assert logged["created_at"] != logged["occurred_at"]
    assert logged["attendee_ids"] == [grace["id"]]
    (event,) = events(app, "crm.communication.")
    assert event["data"] == logged
    # Grace attended, so the call is in her history too.
    for person in (ada, grace):
        page = client.get(
            "/api/communications", params={"contact_id": person["id"]}, headers=bearer(admin)
        ).json()
        assert [c["id"] for c in page["items"]] == [logged["id"]]


def test_a_communication_needs_a_contact_or_an_organization_and_a_known_type(
    client: TestClient, admin: str
) -> None:
    for body in (
        {"type": "call", "occurred_at": "2026-11-20T15:00:00Z"},
        {
            "type": "pigeon",
            "occurred_at": "2026-11-20T15:00:00Z",
            "organization_id": organization(client, admin)["id"],
        },
        {"type": "call", "occurred_at": "2026-11-20T15:00:00", "organization_id": "x"},
    ):
        response = client.post("/api/communications", json=body, headers=bearer(admin))
        assert response.status_code == 422, body


def test_a_next_action_becomes_a_follow_up_in_the_same_write(
    client: TestClient, admin: str
) -> None:
    ada = contact(client, admin)
    logged = communication(
        client,
        admin,
        contact_id=ada["id"],
        next_action="Send the PPM",
        next_action_due="2026-12-05",
        create_follow_up=True,
    )
    page = client.get(
        "/api/follow-ups", params={"contact_id": ada["id"]}, headers=bearer(admin)
    ).json()
    (task,) = page["items"]
    assert task["title"] == "Send the PPM"
    assert task["due_date"] == "2026-12-05"
    assert task["communication_id"] == logged["id"]
    assert task["status"] == "open"
    refused = client.post(
        "/api/communications",
        json={
            "type": "note",
            "occurred_at": "2026-11-20T15:00:00Z",
            "contact_id": ada["id"],
            "create_follow_up": True,
        },
        headers=bearer(admin),
    )
    assert refused.status_code == 422


def test_overdue_follow_ups_are_listed_by_owner_and_completing_records_who(
    client: TestClient, admin: str
) -> None:
    me = client.get("/api/auth/me", headers=bearer(admin)).json()["id"]
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    later = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
    late = follow_up(client, admin, title="Call back", due_date=yesterday)
    follow_up(client, admin, title="Quarterly letter", due_date=later)
    overdue = client.get(
        "/api/follow-ups", params={"overdue": "true", "owner_id": me}, headers=bearer(admin)
    ).json()
    assert [t["title"] for t in overdue["items"]] == ["Call back"]
    assert overdue["items"][0]["is_overdue"] is True

    done = client.post(f"/api/follow-ups/{late['id']}/complete", headers=bearer(admin)).json()
    assert done["status"] == "done"
    assert done["completed_by"] == me
    assert done["version"] == 2
    again = client.post(f"/api/follow-ups/{late['id']}/complete", headers=bearer(admin)).json()
    assert again["version"] == 2
    assert (
        client.get("/api/follow-ups", params={"overdue": "true"}, headers=bearer(admin)).json()[
            "total"
        ]
        == 0
    )


def test_communications_page_newest_first_and_filter_by_time_and_text(
    client: TestClient, admin: str
) -> None:
    harbor = organization(client, admin)
    for day in range(1, 6):
        communication(
            client,
            admin,
            organization_id=harbor["id"],
            subject=f"Update {day}",
            occurred_at=f"2026-10-0{day}T12:00:00Z",
            body="wire instructions" if day == 3 else "",
        )
    page = client.get(
        "/api/communications",
        params={"organization_id": harbor["id"], "limit": 2},
        headers=bearer(admin),
    ).json()
    assert [c["subject"] for c in page["items"]] == ["Update 5", "Update 4"]
    assert page["total"] == 5
    ranged = client.get(
        "/api/communications",
        params={
            "occurred_after": "2026-10-02T00:00:00Z",
            "occurred_before": "2026-10-04T00:00:00Z",
        },
        headers=bearer(admin),
    ).json()
    assert [c["subject"] for c in ranged["items"]] == ["Update 3", "Update 2"]
    found = client.get("/api/communications", params={"q": "WIRE"}, headers=bearer(admin)).json()
    assert [c["subject"] for c in found["items"]] == ["Update 3"]


def test_an_agent_reads_communications_but_writes_none_here(client: TestClient, admin: str) -> None:
    ada = contact(client, admin)
    agent = {"X-API-Key": create_key(client, admin, ["read", "write:logged"])["key"]}
    assert client.get("/api/communications", headers=agent).status_code == 200
    body = {"type": "note", "occurred_at": "2026-11-20T15:00:00Z", "contact_id": ada["id"]}
    assert client.post("/api/communications", json=body, headers=agent).status_code == 403


def test_follow_ups_page_by_due_date_with_a_cursor(client: TestClient, admin: str) -> None:
    for day in ("2026-12-03", "2026-12-01", "2026-12-02"):
        follow_up(client, admin, title=f"Due {day}", due_date=day)
    first = client.get("/api/follow-ups", params={"limit": 2}, headers=bearer(admin)).json()
    rest = client.get(
        "/api/follow-ups",
        params={"limit": 2, "cursor": first["next_cursor"]},
        headers=bearer(admin),
    ).json()
    assert [t["due_date"] for t in first["items"] + rest["items"]] == [
        "2026-12-01",
        "2026-12-02",
        "2026-12-03",
    ]
    assert rest["next_cursor"] is None
