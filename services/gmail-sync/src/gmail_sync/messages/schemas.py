"""What `parse` returns: plain frozen dataclasses, inside the service (the event contract,
`crm_common.contracts.gmail`, is built from them by the sync, not here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Address:
    """One mailbox of an address header: `address` with its domain lower-cased, `name` the
    decoded display name (None when there is none)."""

    address: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file part. `content` holds the decoded bytes only when `size` ≤ the parse's
    `max_attachment_bytes`; otherwise `is_too_large` is set and only the size and hash are
    known."""

    filename: str | None
    content_type: str
    size: int
    sha256: str
    content: bytes | None = field(default=None, repr=False)
    is_too_large: bool = False


@dataclass(frozen=True, slots=True)
class Forwarded:
    """The original of a forwarded message: an attached `message/rfc822` part, or an inline
    forward block ("---------- Forwarded message ---------", Outlook's "From: … Sent: …",
    Apple Mail's "Begin forwarded message:"). Any field the block lacks is None / empty."""

    sender: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    sent_at: datetime | None
    subject: str | None
    message_id: str | None
    text: str
    is_attached: bool


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    """One RFC 5322 message, parsed.

    `body_text` is the whole plain-text body (derived from the HTML when that is all there is);
    `searchable_text` the same without quoted replies and signatures; `sent_at` is None when the
    Date header is missing or unreadable (use Gmail's internalDate); `message_id` is None when
    the header is missing (use `synthetic_message_id`). `defects` lists, as sentences, what was
    malformed and how it was read anyway.
    """

    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    sent_at: datetime | None
    sender: tuple[Address, ...]
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    bcc: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    delivered_to: tuple[Address, ...]
    body_text: str
    body_html: str | None
    searchable_text: str
    attachments: tuple[Attachment, ...]
    forwarded: tuple[Forwarded, ...]
    defects: tuple[str, ...]
