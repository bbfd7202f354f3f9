"""Rate limits, body limits, problem details, CORS, headers, proxies, production settings."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from api_helpers import ADMIN_PASSWORD, bearer, register_admin
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request

from crm_api.auth.network import client_ip
from crm_api.settings import Settings
from crm_common.settings import ConfigurationError, load_settings


def test_too_many_logins_get_429_with_retry_after(make_app: Callable[..., FastAPI]) -> None:
    client = TestClient(make_app(rate_limit_login="3/minute"))
    register_admin(client)  # two attempts from this address: register, then login
    statuses = [
        client.post(
            "/api/auth/login", json={"username": "admin", "password": "wrong" * 3}
        ).status_code
        for _ in range(2)
    ]
    assert statuses == [401, 429]
    refused = client.post("/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["status"] == 429


def test_reads_over_the_principals_limit_get_429(make_app: Callable[..., FastAPI]) -> None:
    client = TestClient(make_app(rate_limit_read="5/minute"))
    token = register_admin(client)
    statuses = [client.get("/api/users", headers=bearer(token)).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_unauthenticated_guessing_is_limited_per_address(make_app: Callable[..., FastAPI]) -> None:
    client = TestClient(make_app(rate_limit_read="3/minute"))
    statuses = [
        client.get("/api/users", headers={"X-API-Key": f"lpcrm_{i:012d}_{'x' * 43}"}).status_code
        for i in range(4)
    ]
    assert statuses == [401, 401, 401, 429]


def test_an_oversized_body_gets_413(make_app: Callable[..., FastAPI]) -> None:
    client = TestClient(make_app(max_body_bytes=2048))
    token = register_admin(client)
    big = {"action": "x", "channel": "y", "summary": "z" * 5000}
    response = client.post("/api/interactions", json=big, headers=bearer(token))
    assert response.status_code == 413
    assert response.json()["type"] == "urn:lp-crm:problem:payload-too-large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the stream is counted
        yield b'{"action": "x", "channel": "y", "summary": "'
        for _ in range(10):
            yield b"z" * 500
        yield b'"}'

    streamed = client.post(
        "/api/interactions",
        content=chunks(),
        headers=bearer(token) | {"content-type": "application/json"},
    )
    assert streamed.status_code == 413


def test_malformed_json_gets_422_problem_details(client: TestClient, admin: str) -> None:
    response = client.post(
        "/api/interactions",
        content=b'{"action": "x", "channel":',
        headers=bearer(admin) | {"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:lp-crm:problem:validation"


def test_wrong_types_and_unknown_fields_get_422_naming_each_field(
    client: TestClient, admin: str
) -> None:
    response = client.post(
        "/api/interactions",
        json={"action": 5, "channel": "mcp", "duration_ms": "slow", "surprise": True},
        headers=bearer(admin),
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"action", "duration_ms", "surprise"}


def test_an_unknown_route_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_security_headers_are_on_every_answer(client: TestClient) -> None:
    response = client.get("/api/bootstrap/status")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" not in response.headers
    assert response.headers["x-request-id"]


def test_hsts_is_sent_behind_tls(make_app: Callable[..., FastAPI]) -> None:
    client = TestClient(make_app(behind_tls=True))
    assert "max-age" in client.get("/api/bootstrap/status").headers["strict-transport-security"]


def test_cors_is_off_by_default_and_follows_the_allowlist(
    client: TestClient, make_app: Callable[..., FastAPI]
) -> None:
    preflight = {
        "Origin": "https://crm.example.org",
        "Access-Control-Request-Method": "POST",
    }
    off = client.options("/api/auth/login", headers=preflight)
    assert "access-control-allow-origin" not in off.headers

    allowed = TestClient(make_app(cors_origins=["https://crm.example.org"]))
    on = allowed.options("/api/auth/login", headers=preflight)
    assert on.headers["access-control-allow-origin"] == "https://crm.example.org"
    other = allowed.options("/api/auth/login", headers=preflight | {"Origin": "https://evil.test"})
    assert "access-control-allow-origin" not in other.headers


def _request(peer: str, forwarded: str | None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "client": (peer, 1234), "headers": headers})


def test_x_forwarded_for_is_believed_only_from_a_configured_proxy() -> None:
    proxies = ("10.0.0.0/8",)
    assert client_ip(_request("203.0.113.9", "198.51.100.1"), proxies) == "203.0.113.9"
    assert client_ip(_request("10.1.2.3", "198.51.100.1"), proxies) == "198.51.100.1"
    # A client cannot hide behind a forged first hop: the nearest untrusted hop wins.
    assert client_ip(_request("10.1.2.3", "1.2.3.4, 198.51.100.1"), proxies) == "198.51.100.1"
    assert client_ip(_request("10.1.2.3", "198.51.100.1"), ()) == "10.1.2.3"


@pytest.mark.parametrize("secret", [None, "short", "changeme"])
def test_production_refuses_to_start_without_a_strong_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, secret: str | None
) -> None:
    monkeypatch.setenv("CRM_API_ENV", "production")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    if secret is None:
        monkeypatch.delenv("CRM_API_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("CRM_API_SECRET_KEY", secret)
    with pytest.raises(ConfigurationError, match="CRM_API_SECRET_KEY"):
        load_settings(Settings)


def test_development_keeps_a_generated_secret_with_private_permissions(tmp_path: Path) -> None:
    settings = Settings(DATA_DIR=tmp_path)
    key = settings.signing_key()
    assert len(key) >= 32
    assert settings.signing_key() == key
    assert (tmp_path / "crm-api.secret").stat().st_mode & 0o077 == 0


def test_passwords_and_tokens_never_reach_the_logs(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = register_admin(client)
    client.get("/api/auth/me", headers=bearer(token))
    client.post(
        "/api/auth/login", json={"username": "admin", "password": "wrong-" + ADMIN_PASSWORD}
    )
    logged = "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert ADMIN_PASSWORD not in logged
    assert token not in logged


def test_control_characters_are_refused_the_same_on_every_database(client: TestClient) -> None:
    login = client.post("/api/auth/login", json={"username": "ad\u0000min", "password": "x" * 12})
    assert login.status_code == 422
    assert login.json()["errors"][0]["field"] == "username"
