from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from crm_api.auth.models import ApiKey, AuthSession, Bootstrap, User


def bootstrap_done(session: Session) -> bool:
    return session.get(Bootstrap, 1) is not None


def user_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def get_user(session: Session, user_id: str) -> User | None:
    return session.get(User, user_id)


def find_user(session: Session, *, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def identity_taken(
    session: Session, *, username: str, email: str | None, exclude: str | None
) -> bool:
    clauses = [User.username == username]
    if email:
        clauses.append(func.lower(User.email) == email.lower())
    query = select(User.id).where(or_(*clauses))
    if exclude is not None:
        query = query.where(User.id != exclude)
    return session.scalars(query).first() is not None


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def get_session(session: Session, session_id: str) -> AuthSession | None:
    return session.get(AuthSession, session_id)


def list_sessions(session: Session, *, user_id: str, active_at: datetime) -> list[AuthSession]:
    query = (
        select(AuthSession)
        .where(
            AuthSession.user_id == user_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > active_at,
        )
        .order_by(AuthSession.created_at.desc())
    )
    return list(session.scalars(query))


def revoke_sessions(
    session: Session, *, user_id: str, at: datetime, reason: str, keep: str | None = None
) -> int:
    query = update(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    result = session.execute(query.values(revoked_at=at, revoked_reason=reason))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def find_api_key(session: Session, *, prefix: str) -> ApiKey | None:
    return session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).first()


def get_api_key(session: Session, key_id: str) -> ApiKey | None:
    return session.get(ApiKey, key_id)


def list_api_keys(session: Session, *, owner_id: str | None) -> list[ApiKey]:
    query = select(ApiKey).order_by(ApiKey.created_at.desc())
    if owner_id is not None:
        query = query.where(ApiKey.owner_id == owner_id)
    return list(session.scalars(query))
