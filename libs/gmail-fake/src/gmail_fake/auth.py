"""Google's OAuth 2.0 as the fake plays it: clients, the authorization code with PKCE, refresh
tokens, the service-account JWT-bearer grant with domain-wide delegation, and access tokens.

Every grant belongs to one user. `revoke(user)` ends every grant of that user: refreshing answers
`invalid_grant`, a service account can no longer impersonate them, and their access tokens answer
401. `expire_access_tokens(user)` only expires the access tokens, so the next call is a 401 that
google-auth answers by refreshing.

A service account's assertion is checked as Google checks it: RS256 signature by the key the test
registered (its `kid` or the account's only key), `iss` the account's email, `aud` Google's token
URL (google-auth always signs for https://oauth2.googleapis.com/token, whatever `token_uri` is;
the fake's own token URL is accepted too), `iat`/`exp` within the hour, `scope` among the scopes
delegated to the account, `sub` the impersonated user.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from gmail_fake.errors import OAuthError, Unauthenticated

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ACCESS_TOKEN_SECONDS = 3599
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


@dataclass
class OAuthClient:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]


@dataclass
class ServiceAccount:
    email: str
    client_id: str
    public_keys: dict[str, Any]  # private_key_id -> RSA public key
    scopes: frozenset[str] | None  # the scopes delegated domain-wide; None: any


@dataclass
class Grant:
    user: str
    client_id: str
    scopes: frozenset[str]
    refresh_token: str | None = None
    is_revoked: bool = False


@dataclass
class AccessToken:
    token: str
    grant: Grant
    expires_at: float

    @property
    def is_valid(self) -> bool:
        return not self.grant.is_revoked and time.time() < self.expires_at


@dataclass
class AuthorizationCode:
    grant: Grant
    redirect_uri: str
    challenge: str | None
    challenge_method: str
    expires_at: float
    is_used: bool = False


@dataclass
class Auth:
    """The authorization server's state; the facade holds its lock around every call."""

    token_url: str = ""
    clients: dict[str, OAuthClient] = field(default_factory=dict)
    service_accounts: dict[str, ServiceAccount] = field(default_factory=dict)
    grants: list[Grant] = field(default_factory=list)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    refresh_tokens: dict[str, Grant] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    revoked_users: set[str] = field(default_factory=set)

    # -- set up by tests ----------------------------------------------------------------------

    def add_client(
        self, client_id: str, client_secret: str, redirect_uris: Iterable[str]
    ) -> OAuthClient:
        client = OAuthClient(client_id, client_secret, tuple(redirect_uris))
        self.clients[client_id] = client
        return client

    def add_service_account(
        self,
        email: str,
        *,
        scopes: Iterable[str] | None = None,
        private_key: rsa.RSAPrivateKey | None = None,
    ) -> dict[str, str]:
        """Register a service account with `private_key` (a fresh 2048-bit RSA key when None);
        returns its JSON key file's content (what `service_account.Credentials.
        from_service_account_info` takes)."""
        key = private_key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key_id = secrets.token_hex(20)
        client_id = str(10**20 + len(self.service_accounts))
        account = self.service_accounts.get(email) or ServiceAccount(
            email, client_id, {}, frozenset(scopes) if scopes is not None else None
        )
        account.public_keys[key_id] = key.public_key()
        self.service_accounts[email] = account
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return {
            "type": "service_account",
            "project_id": "gmail-fake",
            "private_key_id": key_id,
            "private_key": pem,
            "client_email": email,
            "client_id": account.client_id,
            "token_uri": self.token_url,
        }

    def revoke(self, user: str) -> None:
        self.revoked_users.add(user)
        for grant in self.grants:
            if grant.user == user:
                grant.is_revoked = True

    def restore(self, user: str) -> None:
        """Let `user` be granted again (old grants stay revoked, as at Google)."""
        self.revoked_users.discard(user)

    def expire_access_tokens(self, user: str) -> None:
        for token in self.access_tokens.values():
            if token.grant.user == user:
                token.expires_at = 0

    # -- the authorization server -------------------------------------------------------------

    def _issue(self, grant: Grant) -> dict[str, Any]:
        token = AccessToken("ya29.fake-" + secrets.token_urlsafe(32), grant, 0)
        token.expires_at = time.time() + ACCESS_TOKEN_SECONDS
        self.access_tokens[token.token] = token
        return {
            "access_token": token.token,
            "expires_in": ACCESS_TOKEN_SECONDS,
            "scope": " ".join(sorted(grant.scopes)),
            "token_type": "Bearer",
        }

    def authorize(
        self,
        *,
        client_id: str,
        redirect_uri: str,
        user: str,
        scopes: Iterable[str],
        code_challenge: str | None,
        code_challenge_method: str,
        is_offline: bool,
    ) -> str:
        """The user consents: an authorization code for `client_id`."""
        client = self.clients.get(client_id)
        if client is None:
            raise OAuthError("invalid_client", "The OAuth client was not found.", status=401)
        if redirect_uri not in client.redirect_uris:
            raise OAuthError("redirect_uri_mismatch", f"{redirect_uri} is not registered.")
        if code_challenge_method not in ("S256", "plain"):
            raise OAuthError("invalid_request", "Invalid code_challenge_method.")
        grant = Grant(user, client_id, frozenset(scopes))
        if is_offline:
            grant.refresh_token = "1//fake-" + secrets.token_urlsafe(32)
        code = "4/fake-" + secrets.token_urlsafe(24)
        self.codes[code] = AuthorizationCode(
            grant, redirect_uri, code_challenge, code_challenge_method, time.time() + 600
        )
        return code

    def _client(self, form: dict[str, str]) -> OAuthClient:
        client = self.clients.get(form.get("client_id", ""))
        if client is None or not secrets.compare_digest(
            client.client_secret, form.get("client_secret", "")
        ):
            raise OAuthError("invalid_client", "Unauthorized", status=401)
        return client

    def exchange_code(self, form: dict[str, str]) -> dict[str, Any]:
        client = self._client(form)
        entry = self.codes.get(form.get("code", ""))
        if entry is None or entry.is_used or time.time() > entry.expires_at:
            raise OAuthError("invalid_grant", "Malformed auth code.")
        entry.is_used = True  # a code is good once, even when the exchange fails below
        if (
            entry.grant.client_id != client.client_id
            or form.get("redirect_uri") != entry.redirect_uri
        ):
            raise OAuthError("invalid_grant", "Bad Request")
        if entry.challenge is not None:
            verifier = form.get("code_verifier")
            if not verifier:
                raise OAuthError("invalid_grant", "Missing code verifier.")
            if not _VERIFIER.match(verifier) or not secrets.compare_digest(
                _challenge(verifier, entry.challenge_method), entry.challenge
            ):
                raise OAuthError("invalid_grant", "Invalid code verifier.")
        if entry.grant.user in self.revoked_users:
            raise OAuthError("invalid_grant", "Account has been deleted")
        self.grants.append(entry.grant)
        answer = self._issue(entry.grant)
        if entry.grant.refresh_token:
            self.refresh_tokens[entry.grant.refresh_token] = entry.grant
            answer["refresh_token"] = entry.grant.refresh_token
        return answer

    def refresh(self, form: dict[str, str]) -> dict[str, Any]:
        client = self._client(form)
        grant = self.refresh_tokens.get(form.get("refresh_token", ""))
        if grant is None or grant.is_revoked or grant.client_id != client.client_id:
            raise OAuthError("invalid_grant", "Token has been expired or revoked.")
        asked = set(form.get("scope", "").split())
        if asked - grant.scopes:
            raise OAuthError("invalid_scope", "Bad Request")
        return self._issue(grant)

    def jwt_bearer(self, form: dict[str, str]) -> dict[str, Any]:
        assertion = form.get("assertion", "")
        try:
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise OAuthError("invalid_grant", "Invalid JWT: malformed.") from exc
        account = self.service_accounts.get(str(claims.get("iss", "")))
        if account is None:
            raise OAuthError("invalid_grant", "Invalid grant: account not found")
        keys = account.public_keys
        kid = header.get("kid")
        candidates = [keys[kid]] if kid in keys else ([] if kid else list(keys.values()))
        verified: dict[str, Any] | None = None
        for key in candidates:
            try:
                verified = jwt.decode(
                    assertion,
                    key,
                    algorithms=["RS256"],
                    audience=[GOOGLE_TOKEN_URI, self.token_url],
                    options={"require": ["iss", "aud", "iat", "exp"]},
                    leeway=60,
                )
                break
            except jwt.InvalidAudienceError as exc:
                raise OAuthError("invalid_grant", "Invalid JWT: audience.") from exc
            except jwt.ExpiredSignatureError as exc:
                raise OAuthError("invalid_grant", "Invalid JWT: expired.") from exc
            except jwt.PyJWTError:
                continue
        if verified is None:
            raise OAuthError("invalid_grant", "Invalid JWT Signature.")
        if verified["exp"] - verified["iat"] > 3600 + 60:
            raise OAuthError("invalid_grant", "Invalid JWT: lifetime over an hour.")
        scopes = frozenset(str(verified.get("scope", "")).split())
        if not scopes:
            raise OAuthError("invalid_scope", "No scopes asked for.")
        if account.scopes is not None and not scopes <= account.scopes:
            raise OAuthError(
                "unauthorized_client",
                "Client is unauthorized to retrieve access tokens using this method, or client "
                "not authorized for any of the scopes requested.",
                status=401,
            )
        user = str(verified.get("sub") or account.email)
        if user in self.revoked_users:
            raise OAuthError("invalid_grant", "Invalid email or User ID")
        grant = Grant(user, account.client_id, scopes)
        self.grants.append(grant)
        return self._issue(grant)

    def revoke_token(self, token: str) -> None:
        """The revoke endpoint: revoking either token of a grant ends the whole grant."""
        grant = self.refresh_tokens.get(token)
        if grant is None and token in self.access_tokens:
            grant = self.access_tokens[token].grant
        if grant is None:
            raise OAuthError("invalid_token", "Token expired or revoked")
        grant.is_revoked = True

    def check(self, authorization: str | None) -> AccessToken:
        """The access token of an API call's Authorization header, or 401."""
        if not authorization or not authorization.startswith("Bearer "):
            raise Unauthenticated("Request is missing required authentication credential.")
        token = self.access_tokens.get(authorization.removeprefix("Bearer ").strip())
        if token is None or not token.is_valid:
            raise Unauthenticated()
        return token


def _challenge(verifier: str, method: str) -> str:
    if method == "plain":
        return verifier
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
