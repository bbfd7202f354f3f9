"""What the resolver knows of each source record: the fields it matches on, and the indexes
(emails, domains, blocking keys) that find candidates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_resolver.database import Base, utcnow

KIND = String(32)
SOURCE_ID = String(320)  # an email participant's id is its address


class SourceRecord(Base):
    """A contact, organization, LP profile, grid row or email participant, as last seen.

    `entity_kind` is what it identifies (person or organization); a dependent record (LP
    profile, grid row) names its investor in `anchor_kind`/`anchor_id` instead, and follows it.
    """

    __tablename__ = "source_record"

    source_kind: Mapped[str] = mapped_column(KIND, primary_key=True)
    source_id: Mapped[str] = mapped_column(SOURCE_ID, primary_key=True)
    entity_kind: Mapped[str | None] = mapped_column(String(16))
    anchor_kind: Mapped[str | None] = mapped_column(KIND)
    anchor_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    is_live: Mapped[bool] = mapped_column(Boolean, default=True)
    label: Mapped[str] = mapped_column(String(400), default="")
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_source_record_anchor", "anchor_kind", "anchor_id"),)


class SourceEmail(Base):
    """A normalized address a person record carries (the exact-email layer)."""

    __tablename__ = "source_email"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    source_kind: Mapped[str] = mapped_column(KIND, primary_key=True)
    source_id: Mapped[str] = mapped_column(SOURCE_ID, primary_key=True)

    __table_args__ = (Index("ix_source_email_record", "source_kind", "source_id"),)


class SourceDomain(Base):
    """A domain a record carries that is not free mail: an organization's web and mail
    domains, a person's email domains (the domain layer)."""

    __tablename__ = "source_domain"

    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    source_kind: Mapped[str] = mapped_column(KIND, primary_key=True)
    source_id: Mapped[str] = mapped_column(SOURCE_ID, primary_key=True)

    __table_args__ = (Index("ix_source_domain_record", "source_kind", "source_id"),)


class BlockKey(Base):
    """A blocking key of a record: records sharing one are compared by the model."""

    __tablename__ = "block_key"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    source_kind: Mapped[str] = mapped_column(KIND, primary_key=True)
    source_id: Mapped[str] = mapped_column(SOURCE_ID, primary_key=True)

    __table_args__ = (Index("ix_block_key_record", "source_kind", "source_id"),)


class ParticipantSighting(Base):
    """An email participant seen in a message; the participant lives while one remains."""

    __tablename__ = "participant_sighting"

    address: Mapped[str] = mapped_column(String(320), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(300))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_participant_sighting_message", "message_id"),)


class TeamMember(Base):
    """A CRM user: one of the fund's team, a node of the graph."""

    __tablename__ = "team_member"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
