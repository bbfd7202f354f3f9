"""Errors as Google's APIs answer them, so the real clients raise what they raise against Google.

GoogleError                 the JSON API error body: {"error": {"code", "message", "errors", ...}}
├── BadRequest              400 badRequest / invalid (a parameter the fake refuses)
├── Unauthenticated         401 authError (no, unknown, expired or revoked access token)
├── Forbidden               403 (a scope that does not allow the call, another user's mailbox)
├── NotFound                404 notFound (a message, label, calendar; history older than kept)
├── Gone                    410 fullSyncRequired (a Calendar sync token that was invalidated)
└── Injected                429 rateLimitExceeded / 500 backendError, from a fault the test set
OAuthError                  the token endpoint's RFC 6749 §5.2 body ({"error", "error_description"})
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    410: "GONE",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class GoogleError(Exception):
    """An error of Google's JSON APIs; `response()` renders it the way Google does."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        reason: str,
        domain: str = "global",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason
        self.domain = domain
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "errors": [{"message": self.message, "domain": self.domain, "reason": self.reason}],
                "status": _STATUS_NAMES.get(self.code, "UNKNOWN"),
            }
        }

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.code, headers=self.headers)


class BadRequest(GoogleError):
    def __init__(self, message: str, *, reason: str = "invalid") -> None:
        super().__init__(400, message, reason=reason)


class Unauthenticated(GoogleError):
    def __init__(self, message: str = "Invalid Credentials") -> None:
        super().__init__(
            401,
            message,
            reason="authError",
            headers={
                "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", '
                'error="invalid_token"'
            },
        )


class Forbidden(GoogleError):
    def __init__(self, message: str, *, reason: str = "insufficientPermissions") -> None:
        super().__init__(403, message, reason=reason)


class NotFound(GoogleError):
    def __init__(self, message: str = "Requested entity was not found.") -> None:
        super().__init__(404, message, reason="notFound")


class Gone(GoogleError):
    def __init__(self, message: str) -> None:
        super().__init__(410, message, reason="fullSyncRequired", domain="calendar")


def injected(status: int, retry_after: int | None) -> GoogleError:
    """The error a fault injects: 429 with Retry-After, or a 5xx backend error."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    if status == 429:
        return GoogleError(
            429,
            "User-rate limit exceeded.",
            reason="rateLimitExceeded",
            domain="usageLimits",
            headers=headers,
        )
    return GoogleError(status, "Backend Error", reason="backendError", headers=headers)


class OAuthError(Exception):
    """An error of the OAuth token endpoint (RFC 6749 §5.2), as google-auth reads it."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def response(self) -> JSONResponse:
        return JSONResponse(
            {"error": self.error, "error_description": self.description}, status_code=self.status
        )
