"""Enrolment and the life of an account: pause, resume, remove, error; its refresh token.

Services never commit: the caller's transaction does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from gmail_sync.accounts import repository
from gmail_sync.accounts.crypto import Sealed, TokenCipher
from gmail_sync.accounts.errors import AccountConflict, AccountNotFound, CredentialsNotConfigured
from gmail_sync.accounts.models import Account, OAuthToken
from gmail_sync.database import utcnow

AUTH_KINDS = ("service_account", "oauth")
SYNCED = ("active",)


@dataclass(frozen=True)
class AccountRef:
    """What the sync needs of an account, outside any session."""

    id: str
    user_id: str
    email: str
    auth_kind: str
    status: str
    is_opted_out: bool

    @classmethod
    def of(cls, account: Account) -> AccountRef:
        return cls(
            id=account.id,
            user_id=account.user_id,
            email=account.email,
            auth_kind=account.auth_kind,
            status=account.status,
            is_opted_out=account.is_opted_out,
        )


def normalize(email: str) -> str:
    return email.strip().lower()


def get(session: Session, *, account_id: str) -> Account:
    """Raises:
    AccountNotFound: no such account.
    """
    account = repository.get(session, account_id)
    if account is None:
        raise AccountNotFound(f"no account {account_id}")
    return account


def by_user(session: Session, *, user_id: str) -> Account | None:
    return repository.by_user(session, user_id)


def list_accounts(session: Session, *, only_synced: bool = False) -> list[Account]:
    return repository.list_all(session, statuses=SYNCED if only_synced else None)


def enroll(session: Session, *, user_id: str, email: str, auth_kind: str) -> Account:
    """Enrol a user's mailbox, or bring back a removed, paused or failed one.

    Raises:
        AccountConflict: the address belongs to another user's account, or the user has
            another address enrolled.
    """
    if auth_kind not in AUTH_KINDS:
        raise ValueError(f"auth_kind must be one of {AUTH_KINDS}")
    address = normalize(email)
    existing = repository.by_email(session, address)
    if existing is not None and existing.user_id != user_id:
        raise AccountConflict(f"{address} is enrolled for another user")
    mine = repository.by_user(session, user_id)
    if mine is not None and mine.email != address:
        raise AccountConflict(f"user {user_id} already has {mine.email} enrolled")
    if existing is None:
        return repository.add(
            session, Account(user_id=user_id, email=address, auth_kind=auth_kind, status="active")
        )
    existing.auth_kind = auth_kind
    _set_status(existing, "active", "")
    return existing


def _set_status(account: Account, status: str, detail: str) -> None:
    account.status = status
    account.status_detail = detail[:2000]
    account.updated_at = utcnow()


def pause(session: Session, *, account_id: str) -> Account:
    account = get(session, account_id=account_id)
    _set_status(account, "paused", "paused by a person")
    return account


def resume(session: Session, *, account_id: str) -> Account:
    account = get(session, account_id=account_id)
    _set_status(account, "active", "")
    return account


def remove(session: Session, *, account_id: str) -> Account:
    """Stop syncing the account for good; its mail stays until a person purges it."""
    account = get(session, account_id=account_id)
    _set_status(account, "removed", "removed by a person; its mail is kept until purged")
    return account


def set_opt_out(session: Session, *, account_id: str, is_opted_out: bool) -> Account:
    account = get(session, account_id=account_id)
    account.is_opted_out = is_opted_out
    account.updated_at = utcnow()
    return account


def mark_error(session: Session, *, account_id: str, detail: str) -> Account:
    account = get(session, account_id=account_id)
    _set_status(account, "error", detail)
    account.last_error_at = utcnow()
    return account


def mark_synced(
    session: Session, *, account_id: str, at: datetime, seen: int, withheld: int
) -> None:
    account = get(session, account_id=account_id)
    account.last_sync_at = at
    account.messages_seen += seen
    account.messages_withheld += withheld
    account.updated_at = utcnow()


# -- the refresh token ----------------------------------------------------------------------------


def store_refresh_token(
    session: Session, cipher: TokenCipher, *, account_id: str, refresh_token: str, scopes: str
) -> None:
    """Store (or replace: rotation) the account's refresh token, encrypted under the current
    key."""
    sealed = cipher.encrypt(refresh_token, owner=account_id)
    existing = repository.token(session, account_id)
    now = utcnow()
    repository.put_token(
        session,
        OAuthToken(
            account_id=account_id,
            key_id=sealed.key_id,
            ciphertext=sealed.ciphertext,
            scopes=scopes,
            created_at=existing.created_at if existing is not None else now,
            rotated_at=now,
        ),
    )


def load_refresh_token(session: Session, cipher: TokenCipher, *, account_id: str) -> str:
    """The account's refresh token; re-encrypted under the current key if an old one made it.

    Raises:
        CredentialsNotConfigured: the account has no stored token.
        TokenUndecryptable: no key for it, or it was tampered with.
    """
    row = repository.token(session, account_id)
    if row is None:
        raise CredentialsNotConfigured("the account has no OAuth grant; authorize it again")
    sealed = Sealed(row.key_id, row.ciphertext)
    plaintext = cipher.decrypt(sealed, owner=account_id)
    if cipher.needs_rotation(sealed):
        store_refresh_token(
            session, cipher, account_id=account_id, refresh_token=plaintext, scopes=row.scopes
        )
    return plaintext
