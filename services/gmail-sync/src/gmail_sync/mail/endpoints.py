"""`gmail.messages.get` and `gmail.messages.of_entity`: a matched message's text and metadata,
and the matched messages of an entity, newest first, in pages. Unmatched, private and deleted
mail is never served: to a caller it does not exist."""

from __future__ import annotations

import asyncio
import base64
import binascii
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crm_common.bus.service import Endpoint
from crm_common.contracts import gmail as contract
from crm_common.db import Database
from crm_common.errors import BadRequest, NotFound, PayloadTooLarge
from gmail_sync.mail import repository
from gmail_sync.mail import service as mail
from gmail_sync.mail.errors import MessageNotFound
from gmail_sync.mail.models import EmailMessage
from gmail_sync.messages import AttachmentStore


class InvalidCursor(BadRequest):
    title = "Invalid cursor"
    slug = "invalid-cursor"


class AttachmentNotServed(NotFound):
    title = "Attachment not found"
    slug = "not-found"


class AttachmentTooLargeToServe(PayloadTooLarge):
    title = "Attachment too large to serve"
    slug = "payload-too-large"


def _served(session: Session, email_id: str) -> EmailMessage:
    """A matched, live, non-private message with its text; any other is not found."""
    message = repository.message(session, email_id)
    if (
        message is None
        or not message.is_matched
        or message.deleted_at is not None
        or message.private_at is not None
        or message.body_text is None
    ):
        raise MessageNotFound(f"no message {email_id}")
    return message


def read_message(session: Session, request: contract.MessageGetRequest) -> contract.MessageRead:
    message = _served(session, request.id)
    assert message.body_text is not None  # _served serves only messages with their text
    return contract.MessageRead(
        message=mail.state(session, message),
        version=message.version,
        body_text=message.body_text,
        searchable_text=message.searchable_text or "",
        attachments=[
            contract.AttachmentInfo(
                sha256=a.sha256,
                filename=a.filename,
                content_type=a.content_type,
                size=a.size,
                is_stored=a.is_stored,
            )
            for a in repository.attachments_of(session, message.id)
        ],
    )


def read_attachment(
    session: Session, store: AttachmentStore, request: contract.AttachmentGetRequest
) -> contract.AttachmentContent:
    """The bytes of a stored attachment of a served message, up to ATTACHMENT_REPLY_MAX_BYTES."""
    message = _served(session, request.id)
    found = next(
        (a for a in repository.attachments_of(session, message.id) if a.sha256 == request.sha256),
        None,
    )
    if found is None or not found.is_stored or not store.has(found.sha256):
        raise AttachmentNotServed(f"message {request.id} has no stored attachment {request.sha256}")
    if found.size > contract.ATTACHMENT_REPLY_MAX_BYTES:
        raise AttachmentTooLargeToServe(
            f"{found.size} bytes is over the {contract.ATTACHMENT_REPLY_MAX_BYTES} served"
        )
    return contract.AttachmentContent(
        sha256=found.sha256,
        filename=found.filename,
        content_type=found.content_type,
        size=found.size,
        content_base64=base64.b64encode(store.read(found.sha256)).decode(),
    )


def _encode_cursor(sent_at: datetime, email_id: str) -> str:
    return base64.urlsafe_b64encode(f"{sent_at.isoformat()}|{email_id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        sent_at, _, email_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(sent_at), email_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor("not a cursor this endpoint gave") from None


def messages_of_entity(
    session: Session, request: contract.MessagesOfEntityRequest
) -> contract.MessagesPage:
    after = _decode_cursor(request.cursor) if request.cursor else None
    rows = repository.of_entity(
        session, entity_id=request.entity_id, after=after, limit=request.limit + 1
    )
    page = rows[: request.limit]
    more = len(rows) > request.limit
    return contract.MessagesPage(
        items=[mail.state(session, m) for m in page],
        next_cursor=_encode_cursor(page[-1].sent_at, page[-1].id) if more and page else None,
    )


def endpoints(db: Database, store: AttachmentStore | None = None) -> list[Endpoint[Any, Any]]:
    """The mail endpoints; `gmail.attachments.get` only with the store that holds the files."""

    def reader(work: Any) -> Any:
        def run(request: Any) -> Any:
            with db.session() as session:
                return work(session, request)

        async def handle(request: Any) -> Any:
            return await asyncio.to_thread(run, request)

        return handle

    served: list[Endpoint[Any, Any]] = [
        Endpoint(
            "message",
            contract.SUBJECT_MESSAGE_GET,
            contract.MessageGetRequest,
            contract.MessageRead,
            reader(read_message),
            "A matched message's text and metadata",
        ),
        Endpoint(
            "messages-of-entity",
            contract.SUBJECT_MESSAGES_OF_ENTITY,
            contract.MessagesOfEntityRequest,
            contract.MessagesPage,
            reader(messages_of_entity),
            "The matched messages of a resolver entity, newest first",
        ),
    ]
    if store is None:
        return served
    return [
        *served,
        Endpoint(
            "attachment",
            contract.SUBJECT_ATTACHMENT_GET,
            contract.AttachmentGetRequest,
            contract.AttachmentContent,
            reader(lambda session, request: read_attachment(session, store, request)),
            "A matched message's stored attachment (size-capped)",
        ),
    ]
