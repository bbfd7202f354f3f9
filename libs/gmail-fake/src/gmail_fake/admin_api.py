"""The control routes under `/_fake/`, for a benchmark that runs the fake in another process
(`python -m gmail_fake`) and drives it over HTTP as a test drives it in-process:

POST   /_fake/users/{user}                        add a user (mailbox and calendar)
POST   /_fake/users/{user}/messages               {"raw": b64url, "labelIds", "threadId",
                                                   "internalDate"} -> {"id", "threadId",
                                                   "historyId"}
POST   /_fake/users/{user}/messages/{id}/modify   {"addLabelIds", "removeLabelIds"}
DELETE /_fake/users/{user}/messages/{id}
POST   /_fake/users/{user}/history/forget         {"before": historyId}
POST   /_fake/users/{user}/revoke                 every grant of the user stops working
POST   /_fake/users/{user}/events                 {"summary", "start", "end", "attendees"}
POST   /_fake/faults                              {"route", "status", "times", "retryAfter",
                                                   "user"}
GET    /_fake/requests                            {route: count}
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gmail_fake.errors import BadRequest, GoogleError, NotFound

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from gmail_fake.fake import GoogleFake


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        value = json.loads(raw) if raw else {}
    except ValueError as exc:
        raise BadRequest("The body is not JSON.") from exc
    if not isinstance(value, dict):
        raise BadRequest("The body is not a JSON object.")
    return value


def _guarded(
    handler: Callable[[Request], Awaitable[dict[str, Any]]],
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            return JSONResponse(await handler(request))
        except GoogleError as error:
            return error.response()
        except KeyError as exc:
            return NotFound(f"Not found: {exc}").response()

    return endpoint


def routes(fake: GoogleFake) -> list[Route]:
    async def add_user(request: Request) -> dict[str, Any]:
        return fake.add_user(request.path_params["user"]).profile()

    async def add_message(request: Request) -> dict[str, Any]:
        body = await _body(request)
        try:
            raw = base64.urlsafe_b64decode(str(body["raw"]))
        except (KeyError, binascii.Error) as exc:
            raise BadRequest("raw: base64url of the RFC 822 message is required.") from exc
        message = fake.add_message(
            request.path_params["user"],
            raw,
            label_ids=body.get("labelIds", ["INBOX", "UNREAD"]),
            thread_id=body.get("threadId"),
            internal_date=int(body["internalDate"]) if "internalDate" in body else None,
        )
        return {
            "id": message.id,
            "threadId": message.thread_id,
            "historyId": str(message.history_id),
        }

    async def modify(request: Request) -> dict[str, Any]:
        body = await _body(request)
        message = fake.modify_message(
            request.path_params["user"],
            request.path_params["id"],
            add=body.get("addLabelIds", []),
            remove=body.get("removeLabelIds", []),
        )
        return message.with_labels()

    async def delete(request: Request) -> dict[str, Any]:
        fake.delete_message(request.path_params["user"], request.path_params["id"])
        return {}

    async def forget(request: Request) -> dict[str, Any]:
        body = await _body(request)
        fake.forget_history(request.path_params["user"], before=int(body["before"]))
        return {}

    async def revoke(request: Request) -> dict[str, Any]:
        fake.revoke(request.path_params["user"])
        return {}

    async def add_event(request: Request) -> dict[str, Any]:
        body = await _body(request)
        user = request.path_params["user"]
        event = fake.add_event(
            user,
            summary=str(body.get("summary", "")),
            start=datetime.fromisoformat(str(body["start"])),
            end=datetime.fromisoformat(str(body["end"])) if "end" in body else None,
            attendees=body.get("attendees", []),
        )
        return event.resource(user)

    async def fail(request: Request) -> dict[str, Any]:
        body = await _body(request)
        fake.fail(
            str(body["route"]),
            status=int(body.get("status", 429)),
            times=int(body.get("times", 1)),
            retry_after=body.get("retryAfter"),
            user=body.get("user"),
        )
        return {}

    async def requests(request: Request) -> dict[str, Any]:
        return fake.request_counts()

    base = "/_fake/users/{user}"
    table: list[tuple[str, Callable[[Request], Awaitable[dict[str, Any]]], str]] = [
        (base, add_user, "POST"),
        (f"{base}/messages", add_message, "POST"),
        (f"{base}/messages/{{id}}/modify", modify, "POST"),
        (f"{base}/messages/{{id}}", delete, "DELETE"),
        (f"{base}/history/forget", forget, "POST"),
        (f"{base}/revoke", revoke, "POST"),
        (f"{base}/events", add_event, "POST"),
        ("/_fake/faults", fail, "POST"),
        ("/_fake/requests", requests, "GET"),
    ]
    return [Route(path, _guarded(handler), methods=[method]) for path, handler, method in table]
