from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.database import Base, IdMixin, TimestampMixin


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "user_account"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    password_changed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    deactivated_at: Mapped[datetime | None]


class Bootstrap(Base):
    """One row once the first admin exists; its primary key makes first registration race-safe."""

    __tablename__ = "bootstrap"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"))
    completed_at: Mapped[datetime]


class AuthSession(IdMixin, Base):
    """A signed-in session: the `jti` of its token. Revoked sessions stay, for the record."""

    __tablename__ = "auth_session"

    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    ip: Mapped[str | None] = mapped_column(String(64))


class ApiKey(IdMixin, TimestampMixin, Base):
    """An agent's or service's key. Only its SHA-256 is stored; the key is shown once."""

    __tablename__ = "api_key"

    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_by: Mapped[str] = mapped_column(ForeignKey("user_account.id"))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # An agent whose session read outside text may still write directly (flagged `untrusted`).
    allow_untrusted_writes: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # Requests a minute the MCP gateway allows this key; None: the gateway's default (120).
    rate_limit_per_minute: Mapped[int | None] = mapped_column(Integer)
