"""Helpers for crm-api tests: sign-up, sign-in, users and keys through the real HTTP API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

ADMIN_PASSWORD = "plum-harbor-quiet-lantern-7"
MEMBER_PASSWORD = "copper-meadow-silent-river-3"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def register_admin(client: TestClient) -> str:
    response = client.post(
        "/api/auth/register", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 201, response.text
    return login(client, "admin", ADMIN_PASSWORD)


def login(client: TestClient, username: str, password: str) -> str:
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def browser_sign_in(
    client: TestClient, username: str = "admin", password: str = ADMIN_PASSWORD
) -> dict[str, Any]:
    """Sign in as the browser does: the session cookie lands in `client`'s jar; returns the
    `BrowserSession` (with its CSRF token)."""
    response = client.post("/api/auth/session", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def create_member(
    client: TestClient, admin: str, username: str = "mia", role: str = "member"
) -> str:
    response = client.post(
        "/api/admin/users",
        json={"username": username, "password": MEMBER_PASSWORD, "role": role},
        headers=bearer(admin),
    )
    assert response.status_code == 201, response.text
    return login(client, username, MEMBER_PASSWORD)


def create_key(client: TestClient, token: str, scopes: list[str], **extra: Any) -> dict[str, Any]:
    response = client.post(
        "/api/api-keys", json={"name": "agent", "scopes": scopes, **extra}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def events(app: Any, subject_prefix: str = "crm.") -> list[dict[str, Any]]:
    """The events crm-api has written to its outbox, oldest first."""
    import json

    from sqlalchemy import select

    from crm_common.models import outbox

    with app.state.db.session() as session:
        rows = session.execute(select(outbox.c.payload).order_by(outbox.c.id))
        found = [json.loads(payload) for (payload,) in rows]
    return [e for e in found if e["type"].startswith(subject_prefix)]
