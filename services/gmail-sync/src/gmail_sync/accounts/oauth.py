"""Per-user OAuth: the authorization-code flow with PKCE (S256) and a state token.

`start` makes the consent URL; the state token goes to the browser, and only its SHA-256 is
stored, with the PKCE verifier encrypted and an expiry. `finish` takes the state and code from
Google's redirect, spends the state once, exchanges the code (with the verifier) at the token
endpoint, and stores the refresh token encrypted on the user's account (enrolled if new).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

import httpx
from sqlalchemy.orm import Session

from gmail_sync.accounts import repository
from gmail_sync.accounts import service as accounts
from gmail_sync.accounts.crypto import Sealed, TokenCipher
from gmail_sync.accounts.errors import (
    CredentialsNotConfigured,
    OAuthExchangeFailed,
    OAuthStateInvalid,
)
from gmail_sync.accounts.models import Account, OAuthState
from gmail_sync.database import utcnow
from gmail_sync.settings import GMAIL_READONLY, Settings


@dataclass(frozen=True)
class OAuthStart:
    url: str
    state: str
    expires_at: datetime


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def start(
    session: Session, settings: Settings, cipher: TokenCipher, *, user_id: str, email: str
) -> OAuthStart:
    """Raises:
    CredentialsNotConfigured: no OAuth client or token key in the settings.
    """
    if not settings.oauth_client_id:
        raise CredentialsNotConfigured("GMAIL_SYNC_OAUTH_CLIENT_ID is not set")
    now = utcnow()
    repository.drop_expired_states(session, before=now)
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters of [A-Za-z0-9_-], RFC 7636's range
    state_hash = _digest(state)
    sealed = cipher.encrypt(verifier, owner=state_hash)
    expires_at = now + timedelta(seconds=settings.oauth_state_ttl_seconds)
    repository.add_state(
        session,
        OAuthState(
            state_hash=state_hash,
            user_id=user_id,
            email=accounts.normalize(email),
            key_id=sealed.key_id,
            verifier_ciphertext=sealed.ciphertext,
            redirect_uri=settings.oauth_redirect_uri,
            created_at=now,
            expires_at=expires_at,
        ),
    )
    query = urlencode(
        {
            "client_id": settings.oauth_client_id,
            "redirect_uri": settings.oauth_redirect_uri,
            "response_type": "code",
            "scope": GMAIL_READONLY,
            "access_type": "offline",
            "prompt": "consent",
            "include_granted_scopes": "true",
            "login_hint": accounts.normalize(email),
            "state": state,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    return OAuthStart(url=f"{settings.auth_uri}?{query}", state=state, expires_at=expires_at)


def finish(
    session: Session,
    settings: Settings,
    cipher: TokenCipher,
    *,
    state: str,
    code: str,
    http: httpx.Client | None = None,
) -> Account:
    """Raises:
    OAuthStateInvalid: the state is unknown, spent or expired.
    OAuthExchangeFailed: Google refused the code, or granted no refresh token.
    """
    row = repository.state(session, _digest(state))
    now = utcnow()
    if row is None or row.used_at is not None or row.expires_at < now:
        raise OAuthStateInvalid("unknown, used or expired state; start the authorization again")
    row.used_at = now
    verifier = cipher.decrypt(Sealed(row.key_id, row.verifier_ciphertext), owner=row.state_hash)
    secret = settings.oauth_client_secret
    if secret is None:
        raise CredentialsNotConfigured("GMAIL_SYNC_OAUTH_CLIENT_SECRET is not set")
    client = http or httpx.Client(timeout=30)
    try:
        answer = client.post(
            settings.token_uri,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": row.redirect_uri,
                "client_id": settings.oauth_client_id,
                "client_secret": secret.get_secret_value(),
                "code_verifier": verifier,
            },
        )
    except httpx.HTTPError as exc:
        raise OAuthExchangeFailed(
            f"the token endpoint did not answer: {type(exc).__name__}"
        ) from None
    finally:
        if http is None:
            client.close()
    if answer.status_code != 200:
        error = _error_of(answer)
        raise OAuthExchangeFailed(f"Google refused the code: {error}")
    body = answer.json()
    refresh_token = body.get("refresh_token")
    if not refresh_token:
        raise OAuthExchangeFailed("Google granted no refresh token (offline access refused)")
    account = accounts.enroll(session, user_id=row.user_id, email=row.email, auth_kind="oauth")
    accounts.store_refresh_token(
        session,
        cipher,
        account_id=account.id,
        refresh_token=refresh_token,
        scopes=str(body.get("scope", GMAIL_READONLY)),
    )
    return account


def _error_of(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return f"HTTP {answer.status_code}"
    return str(body.get("error") or f"HTTP {answer.status_code}")
