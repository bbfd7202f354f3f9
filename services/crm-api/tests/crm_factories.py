"""Factories for CRM records, through the real HTTP API (plain functions with defaults)."""

from __future__ import annotations

from typing import Any

from api_helpers import bearer
from fastapi.testclient import TestClient


def post(client: TestClient, token: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def organization(client: TestClient, token: str, **fields: Any) -> dict[str, Any]:
    return post(
        client,
        token,
        "/api/organizations",
        {"name": "Harbor Family Office", "type": "family_office"} | fields,
    )


def contact(client: TestClient, token: str, **fields: Any) -> dict[str, Any]:
    return post(
        client, token, "/api/contacts", {"first_name": "Ada", "last_name": "Lovelace"} | fields
    )


def fund(client: TestClient, token: str, **fields: Any) -> dict[str, Any]:
    return post(client, token, "/api/funds", {"name": "Fund III", "vintage": 2026} | fields)


def opportunity(client: TestClient, token: str, **fields: Any) -> dict[str, Any]:
    return post(client, token, "/api/opportunities", {"stage": "lead"} | fields)


def communication(client: TestClient, token: str, **fields: Any) -> dict[str, Any]:
    return post(
        client,
        token,
        "/api/communications",
        {"type": "call", "subject": "Intro call", "occurred_at": "2026-11-20T15:00:00Z"} | fields,
    )


def follow_up(client: TestClient, token: str, **fields: Any) -> dict[str, Any]:
    return post(
        client,
        token,
        "/api/follow-ups",
        {"title": "Send the deck", "due_date": "2026-12-01"} | fields,
    )
