from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.ids import new_id_str
from gmail_sync.database import Base, utcnow

_BigId = BigInteger().with_variant(Integer(), "sqlite")


class EmailMessage(Base):
    """One canonical message per RFC Message-ID (synthetic where the message has none).

    Headers always; `body_text`, `body_html` and `searchable_text` only while the message matches
    a CRM entity (`is_matched`) and is not private. `version` counts its published states and
    `state_hash` is the last one, so an unchanged message publishes nothing. `needs_rematch`:
    the resolver's entities changed under it; the next sync of a mailbox holding it fetches it
    again and matches it afresh (bodies are only kept for matched mail, so a message that now
    matches needs its body fetched).
    """

    __tablename__ = "email_message"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id_str)
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    thread_key: Mapped[str] = mapped_column(String(32), index=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(998), default=None)
    references: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject: Mapped[str] = mapped_column(String(2000), default="")
    sender: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    to: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    cc: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sent_at: Mapped[datetime] = mapped_column(index=True)
    first_user_id: Mapped[str] = mapped_column(String(64))
    body_text: Mapped[str | None] = mapped_column(Text, default=None)
    body_html: Mapped[str | None] = mapped_column(Text, default=None)
    searchable_text: Mapped[str | None] = mapped_column(Text, default=None)
    defects: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_matched: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_rematch: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    private_at: Mapped[datetime | None] = mapped_column(default=None)
    private_by: Mapped[str | None] = mapped_column(String(64), default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(Integer, default=0)
    state_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmailSighting(Base):
    """A message as one mailbox holds it. A withheld sighting (an excluded label, domain or
    address) keeps only what dedup needs: the Gmail id, and the SHA-256 of the Message-ID in
    `withheld_hash` so a copy in another mailbox is withheld too; no message row, no labels."""

    __tablename__ = "email_sighting"
    __table_args__ = (UniqueConstraint("account_id", "gmail_id"),)

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"))
    gmail_id: Mapped[str] = mapped_column(String(64))
    gmail_thread_id: Mapped[str | None] = mapped_column(String(64), default=None)
    email_id: Mapped[str | None] = mapped_column(
        ForeignKey("email_message.id"), index=True, default=None
    )
    labels: Mapped[list[str]] = mapped_column(JSON, default=list)
    internal_date: Mapped[datetime | None] = mapped_column(default=None)
    withheld_reason: Mapped[str | None] = mapped_column(String(16), default=None)
    withheld_hash: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmailAttachment(Base):
    """A message's file part. The bytes are on disk (AttachmentStore, by SHA-256) only when
    `is_stored`: the message matched and the file was under the cap."""

    __tablename__ = "email_attachment"
    __table_args__ = (UniqueConstraint("email_id", "position"),)

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    email_id: Mapped[str] = mapped_column(ForeignKey("email_message.id"))
    position: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str | None] = mapped_column(String(1000), default=None)
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    is_too_large: Mapped[bool] = mapped_column(Boolean, default=False)
    is_stored: Mapped[bool] = mapped_column(Boolean, default=False)


class EmailParticipant(Base):
    """An address a stored message names (from, to, cc, bcc, reply-to), lower-cased, with its
    domain: which messages a resolver entity's addresses and domains may now match."""

    __tablename__ = "email_participant"

    email_id: Mapped[str] = mapped_column(ForeignKey("email_message.id"), primary_key=True)
    address: Mapped[str] = mapped_column(String(320), primary_key=True, index=True)
    domain: Mapped[str] = mapped_column(String(255), index=True)


class EmailLink(Base):
    """A message ↔ resolver entity link: which participant's address matched, and how."""

    __tablename__ = "email_link"
    __table_args__ = (Index("ix_email_link_entity", "entity_id", "email_id"),)

    email_id: Mapped[str] = mapped_column(ForeignKey("email_message.id"), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(320))
    match_kind: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
