"""Browser sessions: the HttpOnly session cookie, its CSRF token, and the same-origin checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from http.cookies import Morsel, SimpleCookie
from typing import Any

import httpx2 as httpx
import pytest
from api_helpers import (
    ADMIN_PASSWORD,
    MEMBER_PASSWORD,
    bearer,
    browser_sign_in,
    create_key,
    create_member,
    register_admin,
)
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from starlette.requests import Request

from crm_api.auth.browser import SESSION_COOKIE, is_same_origin
from crm_api.auth.models import AuthSession
from crm_api.database import utcnow

OWN_ORIGIN = {"Origin": "http://testserver"}
FUND = {"name": "Fund III"}


def set_cookie(response: httpx.Response) -> Morsel[str]:
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(response.headers["set-cookie"])
    return cookie[SESSION_COOKIE]


def fund_count(client: TestClient, token: str) -> int:
    total: int = client.get("/api/funds", headers=bearer(token)).json()["total"]
    return total


@pytest.fixture
def browser(app: FastAPI, admin: str) -> TestClient:
    """A browser signed in as the admin: the session cookie is in its jar, and nothing else."""
    client = TestClient(app)
    browser_sign_in(client)
    return client


def csrf(client: TestClient) -> dict[str, str]:
    token: str = client.get("/api/auth/session").json()["csrf_token"]
    return {"X-CSRF-Token": token}


def test_a_browser_sign_in_sets_an_httponly_strict_cookie_and_returns_no_token(
    client: TestClient, admin: str
) -> None:
    response = client.post(
        "/api/auth/session", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 200
    cookie = set_cookie(response)
    assert cookie.value.count(".") == 2  # the same signed token a bearer login gives
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() == "strict"
    assert cookie["path"] == "/"
    assert not cookie["secure"]
    assert 0 < int(cookie["max-age"]) <= 12 * 3600
    assert set(response.json()) == {"user", "session_id", "expires_at", "csrf_token"}
    assert cookie.value not in response.text


def test_the_session_cookie_is_secure_behind_tls(make_app: Callable[..., FastAPI]) -> None:
    client = TestClient(make_app(behind_tls=True))
    register_admin(client)
    response = client.post(
        "/api/auth/session", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert set_cookie(response)["secure"] is True


def test_the_cookie_alone_restores_the_session_and_its_csrf_token(app: FastAPI, admin: str) -> None:
    client = TestClient(app)
    signed_in = browser_sign_in(client)
    restored = client.get("/api/auth/session")
    assert restored.status_code == 200
    assert restored.json() == signed_in


def test_a_cookie_write_without_the_csrf_token_is_refused_and_writes_nothing(
    browser: TestClient, admin: str
) -> None:
    response = browser.post("/api/funds", json=FUND, headers=OWN_ORIGIN)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:lp-crm:problem:csrf"
    assert response.json()["detail"] == "csrf token missing or wrong"
    assert fund_count(browser, admin) == 0


def test_another_sessions_csrf_token_is_refused(
    app: FastAPI, browser: TestClient, admin: str
) -> None:
    other = TestClient(app)
    others_token = browser_sign_in(other)["csrf_token"]
    response = browser.post("/api/funds", json=FUND, headers={"X-CSRF-Token": others_token})
    assert response.status_code == 403
    assert fund_count(browser, admin) == 0


def test_a_cookie_write_with_its_sessions_csrf_token_goes_through(browser: TestClient) -> None:
    response = browser.post("/api/funds", json=FUND, headers=csrf(browser) | OWN_ORIGIN)
    assert response.status_code == 201, response.text


def test_a_cookie_write_from_another_origin_is_refused_even_with_the_token(
    browser: TestClient, admin: str
) -> None:
    headers = csrf(browser) | {"Origin": "https://evil.example"}
    response = browser.post("/api/funds", json=FUND, headers=headers)
    assert response.status_code == 403
    assert response.json()["type"] == "urn:lp-crm:problem:csrf"
    assert fund_count(browser, admin) == 0


@pytest.mark.parametrize("kind", ["bearer", "api-key"])
def test_bearer_and_api_key_writes_need_no_csrf_token_even_beside_a_cookie(
    browser: TestClient, admin: str, kind: str
) -> None:
    if kind == "bearer":
        headers = bearer(admin)
    else:
        headers = {"X-API-Key": create_key(browser, admin, ["read", "write:logged"])["key"]}
    response = browser.post(
        "/api/interactions", json={"action": "tool.search", "channel": "mcp"}, headers=headers
    )
    assert response.status_code == 201, response.text


def test_explicit_credentials_win_over_the_session_cookie(browser: TestClient, admin: str) -> None:
    member = create_member(browser, admin)
    me = browser.get("/api/auth/me", headers=bearer(member))
    assert me.json()["username"] == "mia"


def test_signing_out_clears_the_cookie_and_ends_the_session(
    app: FastAPI, browser: TestClient
) -> None:
    cookie = browser.cookies[SESSION_COOKIE]
    response = browser.delete("/api/auth/session", headers=csrf(browser))
    assert response.status_code == 204
    cleared = set_cookie(response)
    assert cleared.value == ""
    assert int(cleared["max-age"]) == 0
    assert SESSION_COOKIE not in browser.cookies

    replayed = TestClient(app)
    replayed.cookies.set(SESSION_COOKIE, cookie)
    assert replayed.get("/api/auth/session").status_code == 401


def test_signing_out_needs_the_csrf_token(browser: TestClient) -> None:
    assert browser.delete("/api/auth/session").status_code == 403
    assert browser.get("/api/auth/session").status_code == 200


def test_an_expired_session_cookie_gets_401_on_reads_and_writes(
    app: FastAPI, browser: TestClient
) -> None:
    headers = csrf(browser)
    with app.state.db.transaction() as session:  # the session's 12 hours pass
        session.execute(update(AuthSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert browser.get("/api/auth/session").status_code == 401
    write = browser.post("/api/funds", json=FUND, headers=headers)
    assert write.status_code == 401
    assert write.headers["content-type"] == "application/problem+json"


def test_a_sign_in_from_another_origin_is_refused(client: TestClient, admin: str) -> None:
    response = client.post(
        "/api/auth/session",
        json={"username": "admin", "password": ADMIN_PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


def test_a_wrong_password_sets_no_cookie(client: TestClient, admin: str) -> None:
    response = client.post(
        "/api/auth/session", json={"username": "admin", "password": "wrong-" + ADMIN_PASSWORD}
    )
    assert response.status_code == 401
    assert "set-cookie" not in response.headers


def test_browser_sign_ins_count_against_the_login_limit(
    make_app: Callable[..., FastAPI],
) -> None:
    client = TestClient(make_app(rate_limit_login="3/minute"))
    register_admin(client)  # two attempts from this address: register, then login
    browser_sign_in(client)
    refused = client.post(
        "/api/auth/session", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert refused.status_code == 429


def test_an_api_key_has_no_browser_session(client: TestClient, admin: str) -> None:
    key = create_key(client, admin, ["read"])["key"]
    assert client.get("/api/auth/session", headers={"X-API-Key": key}).status_code == 403


def test_a_member_signs_in_from_the_browser_as_themselves(app: FastAPI, admin: str) -> None:
    create_member(TestClient(app), admin)
    client = TestClient(app)
    session = browser_sign_in(client, "mia", MEMBER_PASSWORD)
    assert session["user"]["username"] == "mia"
    assert client.get("/api/auth/me").json()["role"] == "member"


def _connection(host: str, scheme: str = "http") -> Request:
    scope: dict[str, Any] = {
        "type": "http",
        "scheme": scheme,
        "server": ("127.0.0.1", 8080),
        "path": "/",
        "headers": [(b"host", host.encode())],
    }
    return Request(scope)


@pytest.mark.parametrize(
    ("origin", "host", "behind_tls", "same"),
    [
        ("http://crm.example:8080", "crm.example:8080", False, True),
        ("http://CRM.Example", "crm.example", False, True),
        ("http://crm.example:80", "crm.example", False, True),
        ("https://crm.example", "crm.example", True, True),
        ("http://crm.example", "crm.example", True, False),
        ("https://crm.example", "crm.example", False, False),
        ("http://crm.example:8081", "crm.example:8080", False, False),
        ("http://evil.example", "crm.example", False, False),
        ("null", "crm.example", False, False),
        ("http://crm.example:notaport", "crm.example", False, False),
    ],
)
def test_an_origin_is_ours_only_with_our_scheme_host_and_port(
    origin: str, host: str, behind_tls: bool, same: bool
) -> None:
    assert is_same_origin(origin, _connection(host), behind_tls=behind_tls) is same
