"""What gmail-sync publishes on `gmail.message.<created|updated|deleted>`.

Every event's `data` is a `GmailMessageData`: one message as one team mailbox saw it, with its
participants (address and display name) and the mailbox owner (a CRM user). The event's `subject`
is `id`, and its `version` grows with every change gmail-sync makes to the message (a label,
a late-arriving participant, a delete). Bodies are not part of it: consumers that need text ask
gmail-sync (`gmail.*` request-reply) or get it from their own events.

A `deleted` event carries the last state with `deleted_at` set; consumers drop what they derived
from the message. A message is deleted when no team mailbox holds it any more, when it falls under
a privacy rule (an excluded label, domain or address), and when a person marks it private
(`is_private`): everything derived from it must go.

gmail-sync keeps one canonical message per RFC Message-ID across the team's mailboxes:
`mailbox_user_id` is the first team member whose mailbox holds it and `mailbox_user_ids` all of
them; `links` are the resolver entities its participants matched (only matched mail has a body,
which `gmail.messages.get` serves).

Request-reply (`SUBJECT_*`): the subjects sit outside `gmail.message.>`, which the GMAIL stream
captures (a stream would answer a request with a PubAck).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SUBJECT_MESSAGE_GET = "gmail.messages.get"
SUBJECT_MESSAGES_OF_ENTITY = "gmail.messages.of_entity"
SUBJECT_ATTACHMENT_GET = "gmail.attachments.get"
SUBJECTS = (SUBJECT_MESSAGE_GET, SUBJECT_MESSAGES_OF_ENTITY, SUBJECT_ATTACHMENT_GET)

# The most bytes `gmail.attachments.get` answers with (base64 in JSON must fit NATS' default
# 1 MiB message); a larger stored file is refused (413), its metadata still listed.
ATTACHMENT_REPLY_MAX_BYTES = 512 * 1024

EmailMatchKind = Literal["exact_address", "domain"]


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
    mailbox_user_ids: list[str] = Field(
        default_factory=list, description="Every CRM user whose mailbox holds it"
    )
    labels: list[str] = Field(
        default_factory=list, description="Gmail label ids over its mailboxes (INBOX, SENT, ...)"
    )
    links: list[EmailEntityLink] = Field(
        default_factory=list, description="The resolver entities its participants matched"
    )
    is_private: bool = Field(default=False, description="A person marked it private")
    has_attachments: bool = False


class EmailEntityLink(BaseModel):
    """A message's link to a resolver entity: which address matched it, and how."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entity_id: str = Field(min_length=1, max_length=64)
    entity_kind: Literal["person", "organization"]
    address: str = Field(min_length=3, max_length=320)
    match_kind: EmailMatchKind
    confidence: float = Field(ge=0.0, le=1.0)


# -- gmail.messages.get ---------------------------------------------------------------------------


class MessageGetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=128, description="gmail-sync's id for the message")


class AttachmentInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sha256: str
    filename: str | None
    content_type: str
    size: int
    is_stored: bool = Field(description="False: over the size cap, only its hash is known")


class MessageRead(BaseModel):
    """A matched message with its text. Outside text: render it as text, never as HTML."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    message: GmailMessageData
    version: int
    body_text: str
    searchable_text: str = Field(description="The body without quoted replies and signatures")
    attachments: list[AttachmentInfo] = Field(default_factory=list)


# -- gmail.messages.of_entity ---------------------------------------------------------------------


class MessagesOfEntityRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    entity_id: str = Field(min_length=1, max_length=64)
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=200, description="next_cursor of a page")


class MessagesPage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    items: list[GmailMessageData] = Field(description="The newest first")
    next_cursor: str | None = None


# -- gmail.attachments.get ------------------------------------------------------------------------


class AttachmentGetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=128, description="The message's id")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="The attachment's SHA-256")


class AttachmentContent(BaseModel):
    """A stored attachment of a matched message. Outside content: serve it as a download."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sha256: str
    filename: str | None
    content_type: str
    size: int
    content_base64: str


GmailMessageData.model_rebuild()


# -- accounts, OAuth, sync and privacy: what crm-api's /api/email routes call ---------------------

SUBJECT_STATUS = "gmail.status"
SUBJECT_ACCOUNTS_ENROLL = "gmail.accounts.enroll"
SUBJECT_ACCOUNTS_ENROLL_ALL = "gmail.accounts.enroll_all"
SUBJECT_ACCOUNTS_CHANGE = "gmail.accounts.change"
SUBJECT_OAUTH_START = "gmail.oauth.start"
SUBJECT_OAUTH_FINISH = "gmail.oauth.finish"
SUBJECT_SYNC_RUN = "gmail.sync.run"
SUBJECT_REMATCH = "gmail.rematch"
SUBJECT_MARK_PRIVATE = "gmail.messages.mark_private"
ADMIN_SUBJECTS = (
    SUBJECT_STATUS,
    SUBJECT_ACCOUNTS_ENROLL,
    SUBJECT_ACCOUNTS_ENROLL_ALL,
    SUBJECT_ACCOUNTS_CHANGE,
    SUBJECT_OAUTH_START,
    SUBJECT_OAUTH_FINISH,
    SUBJECT_SYNC_RUN,
    SUBJECT_REMATCH,
    SUBJECT_MARK_PRIVATE,
)

AuthKind = Literal["service_account", "oauth"]
AccountStatus = Literal["active", "paused", "removed", "error"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AccountRead(_Frozen):
    id: str
    user_id: str
    email: str
    auth_kind: AuthKind
    status: AccountStatus
    status_detail: str = Field(description="What happened, for a person to read")
    is_opted_out: bool
    last_sync_at: datetime | None
    messages_seen: int
    messages_withheld: int
    phase: Literal["backfill", "incremental"] | None = Field(
        default=None, description="None before the first sync"
    )
    backfill_messages: int = 0


class SyncRunRead(_Frozen):
    account_id: str
    kind: str
    started_at: datetime
    finished_at: datetime | None
    fetched: int
    created: int
    updated: int
    deleted: int
    withheld: int
    error: str | None


class StatusRequest(_Frozen):
    runs: int = Field(default=20, ge=0, le=200, description="How many recent runs to include")


class StatusResponse(_Frozen):
    accounts: list[AccountRead]
    recent_runs: list[SyncRunRead]
    messages: int
    matched_messages: int
    service_account_configured: bool
    oauth_configured: bool


class TeamMember(_Frozen):
    user_id: str = Field(min_length=1, max_length=64)
    email: str = Field(min_length=3, max_length=320)


class EnrollRequest(TeamMember):
    auth_kind: AuthKind = "service_account"


class EnrollAllRequest(_Frozen):
    users: list[TeamMember] = Field(max_length=1000, description="Every active CRM user")


class AccountsResponse(_Frozen):
    accounts: list[AccountRead]


class AccountChangeRequest(_Frozen):
    account_id: str = Field(min_length=1, max_length=64)
    action: Literal["pause", "resume", "remove", "opt_out", "opt_in"] = Field(
        description="opt_out also withdraws the mail only this mailbox held"
    )


class OAuthStartRequest(TeamMember):
    pass


class OAuthStartResponse(_Frozen):
    url: str = Field(description="Send the user's browser here")
    expires_at: datetime


class OAuthFinishRequest(_Frozen):
    state: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=1, max_length=2000)


class SyncRunRequest(_Frozen):
    account_id: str | None = Field(default=None, description="None: every active account")


class SyncRunResponse(_Frozen):
    queued: list[str]


class RematchResponse(_Frozen):
    flagged: int


class RematchRequest(_Frozen):
    pass


class MarkPrivateRequest(_Frozen):
    id: str = Field(min_length=1, max_length=128)
    user_id: str = Field(min_length=1, max_length=64, description="Who marked it")
