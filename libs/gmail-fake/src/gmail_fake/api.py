"""What every API route of the fake does around its handler, in this order: authenticate the
Bearer token, count the request, inject an armed fault, replay a duplicated page, resolve
`userId` ("me" or the token's own user), check the token's scopes, run the handler under the
fake's lock, and render Google's error body for any GoogleError.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gmail_fake.auth import AccessToken
from gmail_fake.errors import BadRequest, Forbidden, GoogleError, NotFound, injected

if TYPE_CHECKING:
    from gmail_fake.fake import GoogleFake

GMAIL_SCOPES = frozenset(
    {
        "https://mail.google.com/",
        "https://www.googleapis.com/auth/gmail.modify",
        "https://www.googleapis.com/auth/gmail.readonly",
    }
)
GMAIL_METADATA_SCOPE = "https://www.googleapis.com/auth/gmail.metadata"
CALENDAR_SCOPES = frozenset(
    {
        "https://www.googleapis.com/auth/calendar",
        "https://www.googleapis.com/auth/calendar.readonly",
        "https://www.googleapis.com/auth/calendar.events",
        "https://www.googleapis.com/auth/calendar.events.readonly",
    }
)


@dataclass(frozen=True)
class Call:
    """One authenticated API call as a handler sees it."""

    request: Request
    fake: GoogleFake
    user: str
    token: AccessToken

    def param(self, name: str, default: str | None = None) -> str | None:
        return self.request.query_params.get(name, default)

    def params(self, name: str) -> list[str]:
        return self.request.query_params.getlist(name)

    def flag(self, name: str) -> bool:
        value = self.request.query_params.get(name, "false").lower()
        if value not in ("true", "false"):
            raise BadRequest(f"Invalid boolean value for {name}: {value}")
        return value == "true"

    @property
    def is_metadata_only(self) -> bool:
        return not (self.token.grant.scopes & GMAIL_SCOPES)


Handler = Callable[[Call], dict[str, Any]]


def api_route(
    path: str,
    name: str,
    handler: Handler,
    fake: GoogleFake,
    *,
    scopes: Collection[str],
    is_paged: bool = False,
) -> Route:
    """A GET route of Google's API named `name` (its discovery method id)."""

    async def endpoint(request: Request) -> Response:
        try:
            with fake.lock:
                token = fake.auth.check(request.headers.get("authorization"))
        except GoogleError as error:
            with fake.lock:
                fake.faults.count(name, None)
            return error.response()
        user = token.grant.user
        with fake.lock:
            fake.faults.count(name, user)
            failure = fake.faults.take_failure(name, user)
            replay = fake.faults.take_replay(name, user) if is_paged else None
        if failure is not None:
            return injected(failure.status, failure.retry_after).response()
        if replay is not None:
            return JSONResponse(replay[1], status_code=replay[0])
        try:
            mailbox = request.path_params.get("userId")
            if mailbox not in (None, "me") and mailbox.lower() != user.lower():
                raise Forbidden(f"Delegation denied for {user}", reason="forbidden")
            calendar = request.path_params.get("calendarId")
            if calendar not in (None, "primary") and calendar.lower() != user.lower():
                raise NotFound()  # Google does not tell a calendar one may not see
            if not token.grant.scopes & set(scopes):
                raise Forbidden(
                    "Request had insufficient authentication scopes.",
                    reason="insufficientPermissions",
                )
            with fake.lock:
                body = handler(Call(request, fake, user, token))
                if is_paged:
                    fake.faults.after_page(name, user, 200, body)
        except GoogleError as error:
            return error.response()
        return JSONResponse(body)

    return Route(path, endpoint, methods=["GET"], name=name)
