"""gmail-sync's messages (`gmail.message.<created|updated|deleted>` on the GMAIL stream): the
subject and the searchable text (the body without quoted replies and signatures) of matched mail,
cited as `email_message` with type `email`.

The events carry no body: for a message that is linked to resolver entities and neither private
nor deleted, the text is asked of gmail-sync (`gmail.messages.get`), which serves matched live
mail only. Anything else — unmatched, private, deleted, or no longer served — has nothing to index,
so whatever was indexed of it is retracted, and an unmatched message never leaves a trace here.

Its entities are the links gmail-sync matched (resolver entity ids, filtered on as `entity_ids`),
its author the sender's address, its event time `sent_at`.
"""

from __future__ import annotations

from typing import Any

from crm_common.bus.service import ServiceCallError
from crm_common.bus.streams import GMAIL
from crm_common.contracts.gmail import (
    SUBJECT_MESSAGE_GET,
    GmailMessageData,
    MessageGetRequest,
    MessageRead,
)
from crm_ingest.sources.base import Caller, RecordView, Source, TextField, refs

KIND = "email_message"
TEXT_KEY = "searchable_text"  # what `fetch` adds to the event's state
_AUTHOR_MAX = 64  # the ledger's author_id column


def _message(state: dict[str, Any]) -> GmailMessageData:
    """Raises ValidationError for a state that is not a message (the event is retried, then
    dead-lettered, as any consumer's poison message)."""
    return GmailMessageData.model_validate({k: v for k, v in state.items() if k != TEXT_KEY})


def view(state: dict[str, Any]) -> RecordView:
    message = _message(state)
    body = state.get(TEXT_KEY)
    sender = message.from_.address.strip().lower()
    return RecordView(
        event_at=message.sent_at,
        fields=(
            TextField("subject", message.subject),
            TextField(TEXT_KEY, body if isinstance(body, str) else ""),
        ),
        title=message.subject or "(no subject)",
        type="email",
        author_id=sender if len(sender) <= _AUTHOR_MAX else None,
        refs=refs(*(("entity", link.entity_id) for link in message.links)),
    )


def fetch(state: dict[str, Any], call: Caller) -> dict[str, Any] | None:
    """The state with its searchable text, or None when the message has nothing to index.

    Raises:
        ServiceUnreachable: gmail-sync did not answer; the event is retried later.
        ServiceCallError: gmail-sync refused the request for another reason than not serving it.
    """
    message = _message(state)
    if message.deleted_at is not None or message.is_private or not message.links:
        return None
    try:
        read = call(SUBJECT_MESSAGE_GET, MessageGetRequest(id=message.id), MessageRead)
    except ServiceCallError as exc:
        if exc.status == 404:  # unmatched, private or deleted by now: a later event says so
            return None
        raise
    return state | {TEXT_KEY: read.searchable_text}


SOURCE = Source(
    kind=KIND,
    stream=GMAIL.name,
    events="gmail.message",
    view=view,
    path=lambda message_id: f"/api/email/messages/{message_id}",
    fetch=fetch,
)
