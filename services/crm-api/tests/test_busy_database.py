"""A write that waits out the database's lock is a 503 to send again, not a 500. SQLite's (one
writer at a time, the single-box install); PostgreSQL writers lock rows, not the database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from api_helpers import ADMIN_PASSWORD, register_admin
from fastapi.testclient import TestClient

from conftest import build_settings
from crm_api.__main__ import DEFINITION
from crm_api.app import create_app
from crm_common import db as crm_db
from crm_common.cli import migrate


def test_a_sign_in_behind_a_long_write_is_refused_with_retry_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crm_db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "busy.db"
    settings = build_settings(tmp_path, f"sqlite:///{path}")
    migrate(DEFINITION, settings)
    app = create_app(settings)
    client = TestClient(app)
    register_admin(client)
    # Another process holding the write lock (a long import, say).
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = client.post(
            "/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "2"
    assert response.json()["type"] == "urn:lp-crm:problem:busy"
    # Sent again once the write is done, it works.
    again = client.post("/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert again.status_code == 200, again.text
    app.state.db.dispose()
