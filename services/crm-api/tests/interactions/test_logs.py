"""The audit log, the append-only hash-chained interaction log, and identity events."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from api_helpers import bearer, create_key, create_member
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from crm_common.models import outbox


def test_every_identity_mutation_is_audited_with_actor_and_diff(
    client: TestClient, admin: str
) -> None:
    member = create_member(client, admin)
    member_id = client.get("/api/auth/me", headers=bearer(member)).json()["id"]
    client.patch(f"/api/admin/users/{member_id}", json={"role": "admin"}, headers=bearer(admin))
    page = client.get(
        "/api/audit-log", params={"entity_id": member_id}, headers=bearer(admin)
    ).json()
    actions = [e["action"] for e in page["items"]]
    assert actions == ["update", "create"]
    update = page["items"][0]
    assert update["actor_kind"] == "user"
    assert update["actor_name"] == "admin"
    assert update["changes"]["role"] == ["member", "admin"]
    assert update["request_id"]
    assert "password_hash" not in json.dumps(page)


def test_the_audit_log_pages_newest_first(client: TestClient, admin: str) -> None:
    for name in ("ana", "ben", "cyd"):
        create_member(client, admin, username=name)
    first = client.get("/api/audit-log", params={"limit": 2}, headers=bearer(admin)).json()
    assert len(first["items"]) == 2
    second = client.get(
        "/api/audit-log", params={"limit": 2, "cursor": first["next_cursor"]}, headers=bearer(admin)
    ).json()
    ids = [e["id"] for e in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 4


def test_an_agent_appends_and_reads_the_interaction_log_by_entity_and_actor(
    client: TestClient, admin: str
) -> None:
    key = create_key(client, admin, ["read", "write:logged"])
    agent = {"X-API-Key": key["key"]}
    for contact in ("c-1", "c-2", "c-1"):
        response = client.post(
            "/api/interactions",
            json={
                "action": "tool.dossier",
                "channel": "mcp:get_dossier",
                "targets": [{"type": "contact", "id": contact}],
                "payload_digest": "a" * 64,
                "duration_ms": 12,
            },
            headers=agent,
        )
        assert response.status_code == 201
    by_entity = client.get(
        "/api/interactions", params={"entity_type": "contact", "entity_id": "c-1"}, headers=agent
    ).json()
    assert len(by_entity["items"]) == 2
    assert all(e["actor_id"] == key["id"] for e in by_entity["items"])
    by_actor = client.get("/api/interactions", params={"actor_id": key["id"]}, headers=agent).json()
    assert len(by_actor["items"]) == 3


def test_the_log_reads_by_action_outcome_and_mcp_session_and_chains_the_session(
    client: TestClient, admin: str
) -> None:
    key = create_key(client, admin, ["read"])
    calls = [
        ("tool.search", "ok", "s-1"),
        ("tool.search", "denied", "s-1"),
        ("tool.lp_dossier", "ok", "s-2"),
        ("tool.search", "ok", None),
    ]
    for action, outcome, mcp_session in calls:
        headers = {"X-API-Key": key["key"]}
        if mcp_session:
            headers["X-MCP-Session"] = mcp_session
        response = client.post(
            "/api/interactions",
            json={"action": action, "channel": "mcp", "outcome": outcome},
            headers=headers,
        )
        assert response.status_code == 201
        assert response.json()["session_id"] == mcp_session

    def read(**params: str) -> list[tuple[str, str, str | None]]:
        page = client.get(
            "/api/interactions", params={"actor_id": key["id"], **params}, headers=bearer(admin)
        ).json()
        return [(e["action"], e["outcome"], e["session_id"]) for e in page["items"]]

    assert read(session_id="s-1") == [calls[1], calls[0]]
    assert read(action="tool.search") == [calls[3], calls[1], calls[0]]
    assert read(action="tool.search", outcome="ok") == [calls[3], calls[0]]
    assert read(outcome="error") == []
    assert read(action="tool.") == [calls[3], calls[2], calls[1], calls[0]]
    assert read(action="tool.lp_") == []
    refused = client.get("/api/interactions", params={"outcome": "maybe"}, headers=bearer(admin))
    assert refused.status_code == 422
    # The session is part of the chained content: the chain still verifies with it.
    report = client.get("/api/admin/interactions/verify", headers=bearer(admin)).json()
    assert report["ok"] is True


def test_the_interaction_log_refuses_update_and_delete_in_the_database(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    client.post("/api/interactions", json={"action": "a", "channel": "c"}, headers=bearer(admin))
    for statement in (
        "UPDATE interaction_log SET summary = 'rewritten'",
        "DELETE FROM interaction_log",
        "DELETE FROM interaction_target",
    ):
        with pytest.raises(DBAPIError, match="append-only"), app.state.db.transaction() as session:
            session.execute(text(statement))


def _tamper(app: FastAPI, seq: int) -> None:
    """What an intruder with database access would do: switch off the guard, rewrite a row."""
    with app.state.db.transaction() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ALTER TABLE interaction_log DISABLE TRIGGER USER"))
            session.execute(
                text("UPDATE interaction_log SET summary = 'nothing happened' WHERE seq = :s"),
                {"s": seq},
            )
            session.execute(text("ALTER TABLE interaction_log ENABLE TRIGGER USER"))
        else:
            session.execute(text("DROP TRIGGER interaction_log_no_update"))
            session.execute(
                text("UPDATE interaction_log SET summary = 'nothing happened' WHERE seq = :s"),
                {"s": seq},
            )


def test_a_hand_altered_row_breaks_verification_at_that_row(
    app: FastAPI, client: TestClient, admin: str, tmp_path: Path
) -> None:
    for i in range(5):
        client.post(
            "/api/interactions", json={"action": f"a{i}", "channel": "c"}, headers=bearer(admin)
        )
    report = client.get("/api/admin/interactions/verify", headers=bearer(admin)).json()
    assert report["ok"] is True
    total = report["rows_checked"]
    _tamper(app, seq=total - 2)

    report = client.get("/api/admin/interactions/verify", headers=bearer(admin)).json()
    assert report == {
        "ok": False,
        "rows_checked": total - 3,
        "first_broken_seq": total - 2,
        "reason": "the row's content does not match its hash",
    }
    # The operator's command says the same, and fails.
    env = {
        "DATA_DIR": str(tmp_path),
        "CRM_API_DATABASE_URL": app.state.db.url,
        "PATH": str(Path(sys.executable).parent),
    }
    result = subprocess.run(
        [sys.executable, "-m", "crm_api", "interactions", "verify"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["first_broken_seq"] == total - 2


def _events(app: FastAPI) -> list[tuple[str, dict[str, Any]]]:
    with app.state.db.session() as session:
        rows = session.execute(select(outbox.c.subject, outbox.c.payload).order_by(outbox.c.id))
        return [(subject, json.loads(payload)) for subject, payload in rows]


def test_identity_changes_are_published_without_secrets(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    member = create_member(client, admin)
    key = create_key(client, member, ["read"])
    client.post(f"/api/api-keys/{key['id']}/revoke", headers=bearer(member))
    events = _events(app)
    subjects = [s for s, _ in events]
    assert subjects.count("crm.user.created") == 2
    assert "crm.api_key.created" in subjects
    assert "crm.api_key.updated" in subjects
    assert "crm.interaction.created" in subjects
    raw = json.dumps(events)
    assert key["key"] not in raw
    assert "argon2" not in raw
    assert "key_hash" not in raw
    revoked = next(e for s, e in events if s == "crm.api_key.updated")
    assert revoked["version"] == 2
    assert revoked["data"]["revoked_at"] is not None
    assert revoked["actor"]["kind"] == "user"
