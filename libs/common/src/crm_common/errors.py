"""The base of every expected failure, rendered as RFC 9457 problem details.

    CRMError                 status, title, type; one handler renders it
    ├── BadRequest           400
    ├── Unauthorized         401
    ├── Forbidden            403
    ├── NotFound             404
    ├── Conflict             409
    ├── PayloadTooLarge      413
    ├── UnprocessableEntity  422
    ├── TooManyRequests      429
    └── ServiceUnavailable   503

Each domain's `errors.py` subclasses one of these.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "urn:lp-crm:problem:"


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class CRMError(Exception):
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"
    slug: ClassVar[str] = "internal"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.extensions = extensions

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.slug

    def to_problem(self, instance: str | None = None) -> Problem:
        return Problem(
            type=self.type,
            title=self.title,
            status=self.status,
            detail=self.detail,
            instance=instance,
            **self.extensions,
        )


class BadRequest(CRMError):
    status = 400
    title = "Bad request"
    slug = "bad-request"


class Unauthorized(CRMError):
    status = 401
    title = "Not authenticated"
    slug = "unauthorized"


class Forbidden(CRMError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


class NotFound(CRMError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(CRMError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class PayloadTooLarge(CRMError):
    status = 413
    title = "Payload too large"
    slug = "payload-too-large"


class UnprocessableEntity(CRMError):
    status = 422
    title = "Unprocessable entity"
    slug = "validation"


class TooManyRequests(CRMError):
    status = 429
    title = "Too many requests"
    slug = "rate-limited"


class ServiceUnavailable(CRMError):
    status = 503
    title = "Service unavailable"
    slug = "unavailable"
