"""Browser sessions: the session cookie, its CSRF token, and the same-origin check.

The browser signs in with `POST /api/auth/session` and gets the same signed token as a bearer
login, in an HttpOnly cookie, so no script on the page ever holds it. A browser attaches a cookie
to requests whoever asks it to, so a cookie-authenticated request that changes something (any
method but GET, HEAD and OPTIONS) must also show that our own page sent it:

- `X-CSRF-Token` must equal HMAC-SHA256(signing key, session id). Only our page learns it: from the
  sign-in answer or `GET /api/auth/session`, which another origin cannot read (no CORS with
  credentials). Derived rather than stored, it needs no column, and it lives exactly as long as its
  session: signing out or expiry ends both.
- `Origin`, when the browser sends one, must be this server's own. SameSite=Strict already keeps
  the cookie off cross-site requests in current browsers; this is defence in depth, and it also
  covers a sibling origin of the same site (another port, another subdomain).

Explicit credentials win: the cookie counts only on a request with neither `Authorization` nor
`X-API-Key`, so scripts and agents work as before and never need a CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection
from starlette.responses import Response

from crm_api.auth.errors import CsrfRefused
from crm_api.database import utcnow

SESSION_COOKIE = "crm_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Keeps this MAC apart from the token signatures made with the same key.
_CSRF_CONTEXT = b"crm-api csrf v1\x00"
_DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]


def csrf_token(*, key: str, session_id: str) -> str:
    """The CSRF token of a session: stable for its life, useless for any other session."""
    message = _CSRF_CONTEXT + session_id.encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def session_cookie(conn: HTTPConnection) -> str | None:
    """The session cookie, when the request carries no explicit credentials (those win)."""
    if "authorization" in conn.headers or "x-api-key" in conn.headers:
        return None
    return conn.cookies.get(SESSION_COOKIE) or None


def _origin(scheme: str, netloc: str) -> Origin | None:
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname, port or _DEFAULT_PORTS[scheme]


def is_same_origin(origin: str, conn: HTTPConnection, *, behind_tls: bool) -> bool:
    """Whether an `Origin` header names this server as the browser reached it.

    The server's origin is the request's Host, with https when TLS ends at a proxy in front
    (`behind_tls`) or at this server. "null" (a sandboxed frame, a privacy-minded redirect) and
    anything unparsable are never the same origin.
    """
    parts = urlsplit(origin)
    theirs = _origin(parts.scheme, parts.netloc) if not parts.path else None
    secure = behind_tls or conn.url.scheme in {"https", "wss"}
    ours = _origin("https" if secure else "http", conn.url.netloc)
    return theirs is not None and theirs == ours


def refuse_cross_origin(conn: HTTPConnection, *, behind_tls: bool) -> None:
    """Raises CsrfRefused when the request names an `Origin` other than this server."""
    origin = conn.headers.get("origin")
    if origin is not None and not is_same_origin(origin, conn, behind_tls=behind_tls):
        raise CsrfRefused("cross-origin request refused: its Origin is not this server")


def check_csrf(conn: HTTPConnection, *, key: str, session_id: str, behind_tls: bool) -> None:
    """The checks a cookie-authenticated unsafe request must pass.

    Raises:
        CsrfRefused: another origin, or the CSRF token missing or wrong.
    """
    refuse_cross_origin(conn, behind_tls=behind_tls)
    sent = conn.headers.get(CSRF_HEADER, "")
    expected = csrf_token(key=key, session_id=session_id)
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused("csrf token missing or wrong")


def set_session_cookie(
    response: Response, *, token: str, expires_at: datetime, secure: bool
) -> None:
    """The cookie lives as long as its session; `secure` when the browser reaches us over TLS."""
    max_age = max(0, int((expires_at - utcnow()).total_seconds()))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        expires=expires_at,
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="strict"
    )
