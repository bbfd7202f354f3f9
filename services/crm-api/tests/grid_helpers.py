"""Helpers for the grid's tests, through the real HTTP API (plain functions with defaults)."""

from __future__ import annotations

from typing import Any

import crm_factories as make
from api_helpers import bearer
from fastapi.testclient import TestClient


def add_row(client: TestClient, token: str, **body: Any) -> dict[str, Any]:
    if not body:
        body = {"new_organization": {"name": "Harbor Family Office", "type": "family_office"}}
    response = client.post("/api/grid/rows", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    row: dict[str, Any] = response.json()
    return row


def org_row(client: TestClient, token: str, name: str, **body: Any) -> dict[str, Any]:
    return add_row(client, token, new_organization={"name": name}, **body)


def edit_cell(
    client: TestClient,
    token: str,
    row_id: str,
    fund_id: str,
    version: int,
    expect: int = 200,
    **changes: Any,
) -> dict[str, Any]:
    response = client.patch(
        f"/api/grid/rows/{row_id}/cells/{fund_id}",
        json=changes,
        headers=bearer(token) | {"If-Match": f'"{version}"'},
    )
    assert response.status_code == expect, response.text
    body: dict[str, Any] = response.json()
    return body


def edit_row(
    client: TestClient, token: str, row: dict[str, Any], expect: int = 200, **changes: Any
) -> dict[str, Any]:
    response = client.patch(
        f"/api/grid/rows/{row['id']}",
        json=changes,
        headers=bearer(token) | {"If-Match": f'"{row["version"]}"'},
    )
    assert response.status_code == expect, response.text
    body: dict[str, Any] = response.json()
    return body


def grid(client: TestClient, token: str, **params: Any) -> dict[str, Any]:
    response = client.get("/api/grid", params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def funds(client: TestClient, token: str, *names: str) -> list[dict[str, Any]]:
    return [make.fund(client, token, name=name) for name in names]
