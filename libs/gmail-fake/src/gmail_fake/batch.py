"""The batch endpoint (`/batch`, `/batch/gmail/v1`, `/batch/calendar/v3`): a multipart/mixed body
of application/http requests, as `BatchHttpRequest` sends it, each run through the fake's own
routes (so each counts, fails and authenticates as it would alone) and answered in one
multipart/mixed response whose parts carry `Content-ID: <response-ID>`.

An inner request without an Authorization header uses the outer one's. Google takes at most 100
requests in a batch and refuses nested batches; so does the fake.

google-api-python-client's `new_batch_http_request()` ignores `client_options.api_endpoint`
(googleapis/google-api-python-client#1107): a client of the fake builds
`BatchHttpRequest(batch_uri=fake.batch_uri)` itself.
"""

from __future__ import annotations

import asyncio
import email.parser
import secrets
from email.message import Message
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gmail_fake.errors import BadRequest, injected

if TYPE_CHECKING:
    from starlette.types import ASGIApp
    from starlette.types import Message as ASGIMessage

    from gmail_fake.fake import GoogleFake

MAX_REQUESTS = 100


async def call_app(
    app: ASGIApp, method: str, target: str, headers: list[tuple[str, str]], body: bytes
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Run one HTTP request through `app` in-process; its status, headers and body."""
    path, _, query = target.partition("?")
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(path),
        "raw_path": path.encode("latin-1"),
        "query_string": query.encode("latin-1"),
        "root_path": "",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 80),
    }
    delivered = False
    never = asyncio.Event()

    async def receive() -> ASGIMessage:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await never.wait()  # a plain response never asks again; nothing disconnects in-process
        return {"type": "http.disconnect"}

    status = 500
    answer_headers: list[tuple[str, str]] = []
    chunks: list[bytes] = []

    async def send(message: ASGIMessage) -> None:
        nonlocal status, answer_headers
        if message["type"] == "http.response.start":
            status = message["status"]
            answer_headers = [
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in message["headers"]
            ]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, answer_headers, b"".join(chunks)


def _parse_inner(text: str) -> tuple[str, str, list[tuple[str, str]], bytes]:
    request_line, _, rest = text.lstrip("\r\n").partition("\n")
    try:
        method, target, _version = request_line.strip().split(" ", 2)
    except ValueError:
        raise BadRequest(f"Bad request line in batch: {request_line!r}") from None
    message = email.parser.Parser().parsestr(rest)
    payload = message.get_payload()
    body = payload.encode("utf-8") if isinstance(payload, str) else b""
    headers = [(k, str(v)) for k, v in message.items() if k.lower() != "content-length"]
    return method, target, headers, body.strip()


def routes(fake: GoogleFake) -> list[Route]:
    async def batch(request: Request) -> Response:
        with fake.lock:
            fake.faults.count("batch", None)
            failure = fake.faults.take_failure("batch", None)
        if failure is not None:
            return injected(failure.status, failure.retry_after).response()
        content_type = request.headers.get("content-type", "")
        try:
            if not content_type.startswith("multipart/mixed"):
                raise BadRequest("A batch is multipart/mixed.")
            envelope = email.parser.BytesParser().parsebytes(
                b"Content-Type: "
                + content_type.encode("latin-1")
                + b"\r\n\r\n"
                + await request.body()
            )
            parts = envelope.get_payload()
            if not isinstance(parts, list) or not parts:
                raise BadRequest("An empty batch.")
            if len(parts) > MAX_REQUESTS:
                raise BadRequest(f"A batch holds at most {MAX_REQUESTS} requests.")
            outer_auth = request.headers.get("authorization")
            answers = []
            for part in parts:
                if not isinstance(part, Message):
                    raise BadRequest("A batch part is not a request.")
                # A long Content-ID comes folded; unfolding drops the line breaks only.
                folded = str(part.get("Content-ID", ""))
                content_id = folded.replace("\r\n", "").replace("\n", "").strip().strip("<>")
                method, target, headers, body = _parse_inner(str(part.get_payload()))
                if target.startswith("/batch"):
                    raise BadRequest("Nested batches are not allowed.")
                if outer_auth and not any(k.lower() == "authorization" for k, _ in headers):
                    headers.append(("Authorization", outer_auth))
                answers.append(
                    (content_id, await call_app(fake.app, method, target, headers, body))
                )
        except BadRequest as error:
            return error.response()
        boundary = "batch_" + secrets.token_hex(12)
        lines: list[bytes] = []
        for content_id, (status, headers, body) in answers:
            lines.append(
                f"--{boundary}\r\nContent-Type: application/http\r\n"
                f"Content-ID: <response-{content_id}>\r\n\r\n"
                f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n".encode()
            )
            for name, value in headers:
                if name.lower() != "content-length":
                    lines.append(f"{name}: {value}\r\n".encode("latin-1"))
            lines.append(b"\r\n" + body + b"\r\n")
        lines.append(f"--{boundary}--\r\n".encode())
        return Response(b"".join(lines), media_type=f"multipart/mixed; boundary={boundary}")

    return [
        Route(path, batch, methods=["POST"], name=f"batch{path}")
        for path in ("/batch", "/batch/gmail/v1", "/batch/calendar/v3")
    ]
