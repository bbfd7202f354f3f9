"""First run, sign-in, sessions and tokens."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from api_helpers import (
    ADMIN_PASSWORD,
    MEMBER_PASSWORD,
    bearer,
    create_member,
    login,
    register_admin,
)
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from crm_api.auth import service
from crm_api.auth.errors import SetupDone
from crm_api.auth.models import User
from crm_api.auth.schemas import RegisterFirstAdmin

SECRET = "k" * 24 + "test-secret-key-material"


def test_the_first_registration_creates_an_admin_and_then_registration_closes(
    client: TestClient,
) -> None:
    assert client.get("/api/bootstrap/status").json() == {"setup_required": True}
    token = register_admin(client)
    me = client.get("/api/auth/me", headers=bearer(token)).json()
    assert me["role"] == "admin"
    assert client.get("/api/bootstrap/status").json() == {"setup_required": False}

    again = client.post(
        "/api/auth/register", json={"username": "mallory", "password": "another-long-phrase-9x"}
    )
    assert again.status_code == 403
    assert again.headers["content-type"] == "application/problem+json"


def test_two_concurrent_first_registrations_yield_exactly_one_admin(app: FastAPI) -> None:
    config = app.state.auth
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def register(name: str) -> None:
        barrier.wait()
        try:
            with app.state.db.transaction() as session:
                service.register_first_admin(
                    session,
                    config=config,
                    data=RegisterFirstAdmin(username=name, password=ADMIN_PASSWORD),
                )
            outcomes.append("created")
        except SetupDone:
            outcomes.append("refused")

    threads = [threading.Thread(target=register, args=(n,)) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "refused"]
    with app.state.db.session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(
    client: TestClient, admin: str
) -> None:
    wrong = client.post("/api/auth/login", json={"username": "admin", "password": "nope" * 4})
    unknown = client.post("/api/auth/login", json={"username": "ghost", "password": "nope" * 4})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["title"] == unknown.json()["title"]


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-pw", "at least 12"),
        ("x" * 129, "at most 128"),
        ("password1234", "common or breached"),
        ("qwertyuiop123", "common or breached"),
        ("miriam-wrote-this-one", "username"),
        ("aaaaaaaaaaaaaaaa", "easy to guess"),
    ],
)
def test_weak_passwords_are_refused_with_the_rule_named(
    client: TestClient, admin: str, password: str, reason: str
) -> None:
    response = client.post(
        "/api/admin/users", json={"username": "miriam", "password": password}, headers=bearer(admin)
    )
    assert response.status_code == 422
    assert reason in response.json()["detail"]


def test_a_64_character_passphrase_is_accepted(client: TestClient, admin: str) -> None:
    phrase = "the quiet harbor keeps its lanterns lit until the last boat is in"[:64]
    response = client.post(
        "/api/admin/users", json={"username": "long", "password": phrase}, headers=bearer(admin)
    )
    assert response.status_code == 201
    assert login(client, "long", phrase)


def test_logout_revokes_that_token(client: TestClient, admin: str) -> None:
    other = login(client, "admin", ADMIN_PASSWORD)
    assert client.post("/api/auth/logout", headers=bearer(admin)).status_code == 204
    assert client.get("/api/auth/me", headers=bearer(admin)).status_code == 401
    assert client.get("/api/auth/me", headers=bearer(other)).status_code == 200


def test_a_user_sees_and_ends_their_other_sessions(client: TestClient, admin: str) -> None:
    laptop = login(client, "admin", ADMIN_PASSWORD)
    sessions = client.get("/api/auth/sessions", headers=bearer(admin)).json()
    assert len(sessions) == 2
    assert [s["is_current"] for s in sessions].count(True) == 1
    laptop_id = next(s["id"] for s in sessions if not s["is_current"])
    assert (
        client.delete(f"/api/auth/sessions/{laptop_id}", headers=bearer(admin)).status_code == 204
    )
    assert client.get("/api/auth/me", headers=bearer(laptop)).status_code == 401


def test_an_admin_ends_a_users_sessions(client: TestClient, admin: str) -> None:
    member = create_member(client, admin)
    member_id = client.get("/api/auth/me", headers=bearer(member)).json()["id"]
    sessions = client.get(f"/api/admin/users/{member_id}/sessions", headers=bearer(admin)).json()
    assert len(sessions) == 1
    ended = client.delete(f"/api/admin/users/{member_id}/sessions", headers=bearer(admin))
    assert ended.status_code == 204
    assert client.get("/api/auth/me", headers=bearer(member)).status_code == 401


def test_a_member_cannot_end_someone_elses_session(client: TestClient, admin: str) -> None:
    member = create_member(client, admin)
    admin_sessions = client.get("/api/auth/sessions", headers=bearer(admin)).json()
    response = client.delete(
        f"/api/auth/sessions/{admin_sessions[0]['id']}", headers=bearer(member)
    )
    assert response.status_code == 404
    assert client.get("/api/auth/me", headers=bearer(admin)).status_code == 200


def test_a_deactivated_user_is_refused_mid_session(client: TestClient, admin: str) -> None:
    member = create_member(client, admin)
    member_id = client.get("/api/auth/me", headers=bearer(member)).json()["id"]
    assert client.get("/api/users", headers=bearer(member)).status_code == 200
    response = client.patch(
        f"/api/admin/users/{member_id}", json={"is_active": False}, headers=bearer(admin)
    )
    assert response.status_code == 200
    assert client.get("/api/users", headers=bearer(member)).status_code == 401
    refused = client.post("/api/auth/login", json={"username": "mia", "password": MEMBER_PASSWORD})
    assert refused.status_code == 401


def test_a_role_change_acts_on_the_next_request(client: TestClient, admin: str) -> None:
    member = create_member(client, admin)
    member_id = client.get("/api/auth/me", headers=bearer(member)).json()["id"]
    assert client.get("/api/audit-log", headers=bearer(member)).status_code == 403
    client.patch(f"/api/admin/users/{member_id}", json={"role": "admin"}, headers=bearer(admin))
    assert client.get("/api/audit-log", headers=bearer(member)).status_code == 200


def test_an_admin_cannot_demote_or_deactivate_themselves(client: TestClient, admin: str) -> None:
    me = client.get("/api/auth/me", headers=bearer(admin)).json()["id"]
    for change in ({"role": "member"}, {"is_active": False}):
        response = client.patch(f"/api/admin/users/{me}", json=change, headers=bearer(admin))
        assert response.status_code == 403


def test_a_password_change_ends_the_users_other_sessions(client: TestClient, admin: str) -> None:
    member = create_member(client, admin)
    phone = login(client, "mia", MEMBER_PASSWORD)
    response = client.post(
        "/api/auth/password",
        json={"current_password": MEMBER_PASSWORD, "new_password": "new-orchard-silver-kite-5"},
        headers=bearer(member),
    )
    assert response.status_code == 204
    assert client.get("/api/auth/me", headers=bearer(member)).status_code == 200
    assert client.get("/api/auth/me", headers=bearer(phone)).status_code == 401
    assert login(client, "mia", "new-orchard-silver-kite-5")


def test_user_lists_never_carry_a_password_hash(client: TestClient, admin: str) -> None:
    member = create_member(client, admin)
    response = client.get("/api/users", headers=bearer(member))
    assert {u["username"] for u in response.json()} == {"admin", "mia"}
    assert "argon2" not in response.text
    assert "password" not in response.text


def _claims(client: TestClient, token: str) -> dict[str, object]:
    return jwt.decode(token, options={"verify_signature": False})


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(
            lambda c: jwt.encode(c, "another-key-of-sufficient-length-0000", "HS256"),
            id="wrong-key",
        ),
        pytest.param(
            # PyJWT's stubs omit None, the only key its "none" algorithm takes.
            lambda c: jwt.encode(c, None, algorithm="none"),  # type: ignore[arg-type]
            id="alg-none",
        ),
        pytest.param(
            lambda c: jwt.encode(
                c | {"exp": datetime.now(UTC) - timedelta(minutes=5)}, SECRET, "HS256"
            ),
            id="expired",
        ),
        pytest.param(
            lambda c: jwt.encode(
                c | {"nbf": datetime.now(UTC) + timedelta(hours=1)}, SECRET, "HS256"
            ),
            id="not-yet-valid",
        ),
        pytest.param(
            lambda c: jwt.encode(c | {"aud": "someone-else"}, SECRET, "HS256"), id="wrong-audience"
        ),
        pytest.param(
            lambda c: jwt.encode(c | {"typ": "refresh"}, SECRET, "HS256"), id="wrong-type"
        ),
        pytest.param(
            lambda c: jwt.encode({k: v for k, v in c.items() if k != "jti"}, SECRET, "HS256"),
            id="no-jti",
        ),
        pytest.param(
            lambda c: jwt.encode(c | {"jti": "made-up-session"}, SECRET, "HS256"),
            id="unknown-session",
        ),
    ],
)
def test_forged_or_unusable_tokens_are_refused(
    client: TestClient, admin: str, forge: object
) -> None:
    claims = _claims(client, admin)
    token = forge(claims)  # type: ignore[operator]
    response = client.get("/api/auth/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_a_tampered_token_is_refused(client: TestClient, admin: str) -> None:
    header, payload, signature = admin.split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    assert (
        client.get("/api/auth/me", headers=bearer(f"{header}.{payload}.{flipped}")).status_code
        == 401
    )
