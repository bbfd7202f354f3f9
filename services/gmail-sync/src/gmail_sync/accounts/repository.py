"""The accounts' SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gmail_sync.accounts.models import Account, OAuthState, OAuthToken


def get(session: Session, account_id: str) -> Account | None:
    return session.get(Account, account_id)


def by_email(session: Session, email: str) -> Account | None:
    return session.scalar(select(Account).where(Account.email == email))


def by_user(session: Session, user_id: str) -> Account | None:
    return session.scalar(select(Account).where(Account.user_id == user_id))


def list_all(session: Session, *, statuses: Sequence[str] | None = None) -> list[Account]:
    query = select(Account).order_by(Account.email)
    if statuses is not None:
        query = query.where(Account.status.in_(statuses))
    return list(session.scalars(query))


def add(session: Session, account: Account) -> Account:
    session.add(account)
    session.flush()
    return account


def token(session: Session, account_id: str) -> OAuthToken | None:
    return session.get(OAuthToken, account_id)


def put_token(session: Session, row: OAuthToken) -> None:
    session.merge(row)
    session.flush()


def add_state(session: Session, row: OAuthState) -> None:
    session.add(row)
    session.flush()


def state(session: Session, state_hash: str) -> OAuthState | None:
    return session.get(OAuthState, state_hash, with_for_update=True)


def drop_expired_states(session: Session, *, before: datetime) -> None:
    # Spent or expired authorizations are one-time bookkeeping, not records.
    session.execute(delete(OAuthState).where(OAuthState.expires_at < before))
