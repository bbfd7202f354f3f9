"""The token endpoint through the real google-auth: the service account's delegated grant, the
authorization code with PKCE and the refresh, and tokens that stop working."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials

from gmail_fake import GoogleFake
from gmail_fake.testing import GMAIL_READONLY, GoogleClients, delegated_credentials

ANN = "ann@fund.example"
BEN = "ben@fund.example"
CLIENT_ID = "crm-web.apps.example"
CLIENT_SECRET = "client-secret-for-tests"
REDIRECT = "http://127.0.0.1:8080/api/email/oauth/callback"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def consent(fake: GoogleFake, user: str, challenge: str, state: str) -> dict[str, list[str]]:
    """The browser's trip to the consent page and back: the callback's query."""
    params = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": GMAIL_READONLY,
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "access_type": "offline",
        "login_hint": user,
    }
    answer = httpx.get(f"{fake.auth_uri}?{urlencode(params)}", follow_redirects=False)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return parse_qs(location.query)


def exchange(fake: GoogleFake, code: str, verifier: str) -> httpx.Response:
    return httpx.post(
        fake.token_uri,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "code_verifier": verifier,
        },
    )


def user_credentials(fake: GoogleFake, refresh_token: str) -> Credentials:
    # google-auth leaves the constructor unannotated.
    return Credentials(  # type: ignore[no-untyped-call]
        token=None,
        refresh_token=refresh_token,
        token_uri=fake.token_uri,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scopes=[GMAIL_READONLY],
    )


@pytest.fixture
def oauth_client(google_fake: GoogleFake) -> GoogleFake:
    google_fake.add_oauth_client(CLIENT_ID, CLIENT_SECRET, [REDIRECT])
    return google_fake


def test_the_service_account_acts_as_each_subject(
    google_fake: GoogleFake, impersonate: Callable[..., Any], google_clients: GoogleClients
) -> None:
    ann = google_clients.gmail(impersonate(ANN)).users().getProfile(userId="me").execute()
    ben = google_clients.gmail(impersonate(BEN)).users().getProfile(userId="me").execute()

    assert (ann["emailAddress"], ben["emailAddress"]) == (ANN, BEN)
    assert google_fake.request_count("oauth2.token") == 2


def test_a_scope_not_delegated_to_the_service_account_is_refused(
    google_fake: GoogleFake, google_clients: GoogleClients
) -> None:
    key = google_fake.add_service_account("narrow@test.iam.example", scopes=[GMAIL_READONLY])
    creds = delegated_credentials(key, ANN, ["https://mail.google.com/"])

    with pytest.raises(RefreshError) as refused:
        google_clients.gmail(creds).users().getProfile(userId="me").execute()

    assert "unauthorized_client" in str(refused.value)


def test_an_assertion_signed_with_another_key_is_refused(
    google_fake: GoogleFake, google_clients: GoogleClients
) -> None:
    google_fake.add_service_account("signer@test.iam.example")
    with GoogleFake() as elsewhere:
        forged = elsewhere.add_service_account("signer@test.iam.example")
    forged["private_key_id"] = ""  # no kid: the fake tries every key it knows for the account
    forged["token_uri"] = google_fake.token_uri
    creds = delegated_credentials(forged, ANN, [GMAIL_READONLY])

    with pytest.raises(RefreshError) as refused:
        google_clients.gmail(creds).users().getProfile(userId="me").execute()

    assert "Invalid JWT Signature" in str(refused.value)


def test_the_code_flow_with_pkce_then_refresh_reaches_the_users_mailbox(
    oauth_client: GoogleFake, google_clients: GoogleClients
) -> None:
    verifier, challenge = pkce()
    callback = consent(oauth_client, BEN, challenge, state="state-123")
    tokens = exchange(oauth_client, callback["code"][0], verifier)
    creds = user_credentials(oauth_client, tokens.json()["refresh_token"])

    profile = google_clients.gmail(creds).users().getProfile(userId="me").execute()

    assert callback["state"] == ["state-123"]
    assert tokens.status_code == 200
    assert set(tokens.json()) >= {"access_token", "refresh_token", "expires_in", "scope"}
    assert profile["emailAddress"] == BEN
    assert oauth_client.request_count("oauth2.token") == 2  # the exchange, then the refresh


def test_a_wrong_code_verifier_is_refused_and_the_code_is_spent(
    oauth_client: GoogleFake,
) -> None:
    verifier, challenge = pkce()
    code = consent(oauth_client, ANN, challenge, state="s")["code"][0]

    wrong = exchange(oauth_client, code, pkce()[0])
    again = exchange(oauth_client, code, verifier)

    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
    assert wrong.json()["error_description"] == "Invalid code verifier."
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


def test_without_offline_access_no_refresh_token_is_issued(oauth_client: GoogleFake) -> None:
    verifier, challenge = pkce()
    params = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": GMAIL_READONLY,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "login_hint": ANN,
    }
    answer = httpx.get(f"{oauth_client.auth_uri}?{urlencode(params)}")
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]

    tokens = exchange(oauth_client, code, verifier).json()

    assert "access_token" in tokens
    assert "refresh_token" not in tokens


def test_a_revoked_user_gets_invalid_grant_on_refresh_and_401_on_calls(
    oauth_client: GoogleFake, impersonate: Callable[..., Any], google_clients: GoogleClients
) -> None:
    verifier, challenge = pkce()
    code = consent(oauth_client, ANN, challenge, state="s")["code"][0]
    refresh_token = exchange(oauth_client, code, verifier).json()["refresh_token"]
    creds = user_credentials(oauth_client, refresh_token)
    users = google_clients.gmail(creds).users()
    delegated = google_clients.gmail(impersonate(ANN)).users()
    users.getProfile(userId="me").execute()
    delegated.getProfile(userId="me").execute()
    access_token = creds.token

    oauth_client.revoke(ANN)
    with pytest.raises(RefreshError) as refresh_refused:
        users.getProfile(userId="me").execute()
    with pytest.raises(RefreshError) as delegation_refused:
        delegated.getProfile(userId="me").execute()
    direct = httpx.get(
        f"{oauth_client.url}/gmail/v1/users/me/profile",
        headers={"Authorization": f"Bearer {access_token}"},
    )

    assert "invalid_grant" in str(refresh_refused.value)
    assert "invalid_grant" in str(delegation_refused.value)
    assert direct.status_code == 401
    assert direct.json()["error"]["status"] == "UNAUTHENTICATED"


def test_an_expired_access_token_is_refreshed_by_the_client(
    google_fake: GoogleFake, impersonate: Callable[..., Any], google_clients: GoogleClients
) -> None:
    users = google_clients.gmail(impersonate(ANN)).users()
    users.getProfile(userId="me").execute()

    google_fake.expire_access_tokens(ANN)
    profile = users.getProfile(userId="me").execute()

    assert profile["emailAddress"] == ANN
    assert google_fake.request_count("oauth2.token") == 2
    assert google_fake.request_count("gmail.users.getProfile") == 3  # the 401 counts too


def test_a_call_without_a_token_is_unauthenticated(google_fake: GoogleFake) -> None:
    answer = httpx.get(f"{google_fake.url}/gmail/v1/users/me/messages")

    assert answer.status_code == 401
    assert answer.json()["error"]["errors"][0]["reason"] == "authError"
