"""Session tokens (HS256 JWT) and API keys.

A session token is a JWT signed with HS256 (the only algorithm accepted on decode), carrying
`sub` (user id), `jti` (the session id), `iat`, `nbf`, `exp`, `aud`, `iss` and `typ: access`;
each is required and checked. The session row behind `jti` decides whether it still counts.

An API key is `lpcrm_<prefix>_<secret>`: the prefix finds the row, the SHA-256 of the whole key
is compared in constant time. The secret has 256 bits of entropy, so a fast hash is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from crm_api.auth.errors import NotAuthenticated

ALGORITHM = "HS256"
TOKEN_TYPE = "access"
API_KEY_PREFIX = "lpcrm"
_REQUIRED_CLAIMS = ["sub", "jti", "iat", "nbf", "exp", "aud", "iss", "typ"]


@dataclass(frozen=True)
class TokenClaims:
    user_id: str
    session_id: str
    expires_at: datetime


def issue_token(
    *,
    key: str,
    user_id: str,
    session_id: str,
    now: datetime,
    ttl: timedelta,
    audience: str,
    issuer: str,
) -> str:
    claims = {
        "sub": user_id,
        "jti": session_id,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "aud": audience,
        "iss": issuer,
        "typ": TOKEN_TYPE,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def decode_token(token: str, *, key: str, audience: str, issuer: str) -> TokenClaims:
    """Raises NotAuthenticated for a token that is malformed, forged, expired or not ours."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            options={"require": _REQUIRED_CLAIMS},
            leeway=5,
        )
    except jwt.PyJWTError as exc:
        raise NotAuthenticated("invalid or expired token") from exc
    if claims.get("typ") != TOKEN_TYPE:
        raise NotAuthenticated("invalid or expired token")
    return TokenClaims(
        user_id=str(claims["sub"]),
        session_id=str(claims["jti"]),
        expires_at=datetime.fromtimestamp(claims["exp"], tz=UTC),
    )


def generate_api_key() -> tuple[str, str]:
    """A new key and its lookup prefix."""
    prefix = secrets.token_hex(6)
    return f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def parse_api_key(key: str) -> str:
    """The prefix of a well-formed key. Raises NotAuthenticated for anything else."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or len(parts[1]) != 12 or len(parts[2]) < 20:
        raise NotAuthenticated("invalid API key")
    return parts[1]


def api_key_matches(key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_api_key(key), stored_hash)
