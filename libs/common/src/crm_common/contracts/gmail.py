"""What gmail-sync publishes on `gmail.message.<created|updated|deleted>`.

Every event's `data` is a `GmailMessageData`: one message as one team mailbox saw it, with its
participants (address and display name) and the mailbox owner (a CRM user). The event's `subject`
is `id`, and its `version` grows with every change gmail-sync makes to the message (a label,
a late-arriving participant, a delete). Bodies are not part of it: consumers that need text ask
gmail-sync (`gmail.*` request-reply) or get it from their own events.

A `deleted` event carries the last state with `deleted_at` set; consumers drop what they derived
from the message.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class EmailAddress(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    address: str = Field(min_length=3, max_length=320, description="As written in the header")
    name: str | None = Field(default=None, max_length=300, description="The display name")


class GmailMessageData(BaseModel):
    """Serialize with `model_dump(by_alias=True)`: the sender's key is `from`."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(min_length=1, max_length=128, description="gmail-sync's id for the message")
    message_id: str = Field(
        min_length=1, max_length=998, description="The RFC 5322 Message-ID, deduplicated on"
    )
    thread_id: str = Field(min_length=1, max_length=128)
    sent_at: datetime
    subject: str = Field(default="", max_length=2000)
    from_: EmailAddress = Field(alias="from")
    to: list[EmailAddress] = Field(default_factory=list)
    cc: list[EmailAddress] = Field(default_factory=list)
    mailbox_user_id: str = Field(
        min_length=1, max_length=64, description="The CRM user whose mailbox it was seen in"
    )
    deleted_at: datetime | None = None
