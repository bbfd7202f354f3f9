"""Gmail API v1 routes: users.messages.list/get, users.messages.attachments.get,
users.history.list, users.labels.list/get and users.getProfile."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.routing import Route

from gmail_fake import mime
from gmail_fake.api import GMAIL_METADATA_SCOPE, GMAIL_SCOPES, Call, api_route
from gmail_fake.errors import BadRequest, Forbidden, NotFound
from gmail_fake.mailbox import Mailbox, page_size

if TYPE_CHECKING:
    from gmail_fake.fake import GoogleFake

FORMATS = ("minimal", "full", "raw", "metadata")
READ_SCOPES = GMAIL_SCOPES | {GMAIL_METADATA_SCOPE}


def _mailbox(call: Call) -> Mailbox:
    try:
        return call.fake.mailboxes[call.user]
    except KeyError:
        raise NotFound("Mail service not enabled") from None


def list_messages(call: Call) -> dict[str, Any]:
    q = call.param("q")
    if q and call.is_metadata_only:
        raise Forbidden("Metadata scope does not support 'q' parameter")
    return _mailbox(call).list_messages(
        q=q,
        label_ids=call.params("labelIds"),
        include_spam_trash=call.flag("includeSpamTrash"),
        page_token=call.param("pageToken"),
        max_results=page_size(call.param("maxResults"), default=100, maximum=500),
        now=datetime.now(UTC),
    )


def get_message(call: Call) -> dict[str, Any]:
    fmt = call.param("format", "full") or "full"
    if fmt not in FORMATS:
        raise BadRequest(f"Invalid value for format: {fmt}")
    if fmt in ("full", "raw") and call.is_metadata_only:
        raise Forbidden(f"Metadata scope doesn't allow format {fmt.upper()}")
    message = _mailbox(call).get(call.request.path_params["id"])
    return message.resource(fmt, call.params("metadataHeaders"))


def get_attachment(call: Call) -> dict[str, Any]:
    if call.is_metadata_only:
        raise Forbidden("Metadata scope doesn't allow attachments")
    message = _mailbox(call).get(call.request.path_params["messageId"])
    attachment_id = call.request.path_params["id"]
    data = message.parsed.attachments.get(attachment_id)
    if data is None:
        raise BadRequest("Invalid attachment token")
    return {"attachmentId": attachment_id, "size": len(data), "data": mime.b64url(data)}


def list_history(call: Call) -> dict[str, Any]:
    start = call.param("startHistoryId")
    if not start:
        raise BadRequest("Missing startHistoryId", reason="required")
    try:
        start_id = int(start)
    except ValueError:
        raise BadRequest(f"Invalid value for startHistoryId: {start}") from None
    return _mailbox(call).list_history(
        start_history_id=start_id,
        history_types=call.params("historyTypes"),
        label_id=call.param("labelId"),
        page_token=call.param("pageToken"),
        max_results=page_size(call.param("maxResults"), default=100, maximum=500),
    )


def list_labels(call: Call) -> dict[str, Any]:
    return {"labels": [label.resource() for label in _mailbox(call).labels.values()]}


def get_label(call: Call) -> dict[str, Any]:
    return _mailbox(call).label(call.request.path_params["id"])


def get_profile(call: Call) -> dict[str, Any]:
    return _mailbox(call).profile()


def routes(fake: GoogleFake) -> list[Route]:
    base = "/gmail/v1/users/{userId}"
    table = [
        (f"{base}/messages", "gmail.users.messages.list", list_messages, True),
        (f"{base}/messages/{{id}}", "gmail.users.messages.get", get_message, False),
        (
            f"{base}/messages/{{messageId}}/attachments/{{id}}",
            "gmail.users.messages.attachments.get",
            get_attachment,
            False,
        ),
        (f"{base}/history", "gmail.users.history.list", list_history, True),
        (f"{base}/labels", "gmail.users.labels.list", list_labels, False),
        (f"{base}/labels/{{id}}", "gmail.users.labels.get", get_label, False),
        (f"{base}/profile", "gmail.users.getProfile", get_profile, False),
    ]
    return [
        api_route(path, name, handler, fake, scopes=READ_SCOPES, is_paged=is_paged)
        for path, name, handler, is_paged in table
    ]
