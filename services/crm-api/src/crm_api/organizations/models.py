from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_api.database import Base
from crm_api.kit.models import AggregateMixin
from crm_api.tags.models import Tag, link_table

organization_tag = link_table("organization")


class Organization(AggregateMixin, Base):
    __tablename__ = "organization"
    __table_args__ = (
        Index("ix_organization_name", "name"),
        # Imports and row adds look organizations up by name, any case.
        Index("ix_organization_name_lower", func.lower(text("name"))),
        Index("ix_organization_updated_at", "updated_at"),
        Index("ix_organization_created_at", "created_at"),
    )

    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(64))
    website: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    # Custom field key -> value, checked by crm_api.custom_fields on every write.
    custom_fields: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )

    domains: Mapped[list[OrganizationDomain]] = relationship(
        back_populates="organization",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="OrganizationDomain.domain",
    )
    tags: Mapped[list[Tag]] = relationship(secondary=organization_tag, lazy="selectin")


class OrganizationDomain(Base):
    """A web or email domain of an organization; one live organization per domain."""

    __tablename__ = "organization_domain"
    __table_args__ = (
        Index(
            "uq_organization_domain_live",
            "domain",
            unique=True,
            sqlite_where=text("is_live = 1"),
            postgresql_where=text("is_live"),
        ),
    )

    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True
    )
    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    is_live: Mapped[bool] = mapped_column(default=True)

    organization: Mapped[Organization] = relationship(back_populates="domains", lazy="raise")
