from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_api.database import Base, IdMixin
from crm_api.kit.models import AggregateMixin
from crm_api.tags.models import Tag, link_table

contact_tag = link_table("contact")


class Contact(AggregateMixin, Base):
    __tablename__ = "contact"
    __table_args__ = (
        Index("ix_contact_last_name", "last_name", "first_name"),
        Index("ix_contact_updated_at", "updated_at"),
        Index("ix_contact_created_at", "created_at"),
        Index("ix_contact_owner_id", "owner_id"),
        Index("ix_contact_type_status", "contact_type", "status"),
        Index("ix_contact_country_city", "country", "city"),
    )

    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(200))
    contact_type: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(String(64))
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(100))
    linkedin_url: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str] = mapped_column(Text, default="")
    phones: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Custom field key -> value, checked by crm_api.custom_fields on every write.
    custom_fields: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )

    emails: Mapped[list[ContactEmail]] = relationship(
        back_populates="contact",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="(ContactEmail.is_primary.desc(), ContactEmail.email)",
    )
    affiliations: Mapped[list[Affiliation]] = relationship(
        back_populates="contact",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="(Affiliation.is_primary.desc(), Affiliation.id)",
    )
    tags: Mapped[list[Tag]] = relationship(secondary=contact_tag, lazy="selectin")


class ContactEmail(IdMixin, Base):
    """One of a contact's addresses, stored lower-case; unique among live contacts."""

    __tablename__ = "contact_email"
    __table_args__ = (
        Index(
            "uq_contact_email_live",
            "email",
            unique=True,
            sqlite_where=text("is_live = 1"),
            postgresql_where=text("is_live"),
        ),
        Index("ix_contact_email_contact_id", "contact_id"),
    )

    contact_id: Mapped[str] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    label: Mapped[str | None] = mapped_column(String(50))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    is_live: Mapped[bool] = mapped_column(Boolean, default=True)

    contact: Mapped[Contact] = relationship(back_populates="emails", lazy="raise")


class Affiliation(IdMixin, Base):
    """A contact's place at an organization: role, dates, and whether it is the primary one."""

    __tablename__ = "affiliation"
    __table_args__ = (
        Index("ix_affiliation_contact_id", "contact_id"),
        Index("ix_affiliation_organization_id", "organization_id"),
    )

    contact_id: Mapped[str] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    organization_id: Mapped[str] = mapped_column(ForeignKey("organization.id"))
    role: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    contact: Mapped[Contact] = relationship(back_populates="affiliations", lazy="raise")


class ContactSearch(Base):
    """The text a contact's quick `q` match runs over: names, addresses and organization names,
    folded (crm_api.kit.text.fold). Kept in step by the contacts and organizations services.

    On PostgreSQL a pg_trgm GIN index serves `LIKE '%…%'`; on SQLite an external-content FTS5
    table with the trigram tokenizer (`contact_search_fts`, synced by triggers) serves a phrase
    match. Both find substrings of three characters or more through an index.
    """

    __tablename__ = "contact_search"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    contact_id: Mapped[str] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), unique=True
    )
    document: Mapped[str] = mapped_column(Text)
