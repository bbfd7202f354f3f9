from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.ids import new_id_str
from gmail_sync.database import Base, utcnow


class Account(Base):
    """One enrolled mailbox: a CRM user's Google address and how the service reaches it.

    `status`: active (synced), paused (kept, not synced), removed (not synced; its mail stays
    until a person purges it), error (`status_detail` says what Google answered; a person acts).
    """

    __tablename__ = "account"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id_str)
    user_id: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    auth_kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="active")
    status_detail: Mapped[str] = mapped_column(String(2000), default="")
    is_opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    last_sync_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error_at: Mapped[datetime | None] = mapped_column(default=None)
    messages_seen: Mapped[int] = mapped_column(Integer, default=0)
    messages_withheld: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OAuthToken(Base):
    """An account's refresh token, AES-256-GCM encrypted under the key `key_id` (the account id
    is the associated data, so a ciphertext moved to another account does not decrypt)."""

    __tablename__ = "oauth_token"

    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    scopes: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rotated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OAuthState(Base):
    """A started authorization: its state token (stored as a SHA-256, so a database reader cannot
    finish it) and the PKCE verifier, encrypted, until it is used or expires."""

    __tablename__ = "oauth_state"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(320))
    key_id: Mapped[str] = mapped_column(String(32))
    verifier_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column(default=None)
