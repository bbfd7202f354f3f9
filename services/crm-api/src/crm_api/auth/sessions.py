"""Sign-in and sessions: opening one with a password, listing and ending them.

A session is a row (`auth_session`) and a signed token naming it; ending the row ends the token.
Ending sessions goes to the audit and interaction logs (crm_api.auth.hooks), a sign-in to the
interaction log only.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from crm_api.auth import hooks, repository
from crm_api.auth.errors import BadCredentials, NotAllowed, UnknownSession, UnknownUser
from crm_api.auth.hooks import Audited, IdentityChange
from crm_api.auth.models import AuthSession, User
from crm_api.auth.principal import Principal
from crm_api.auth.service import AuthConfig, user_actor
from crm_api.auth.tokens import issue_token
from crm_api.database import utcnow
from crm_common.ids import new_id_str


def login(
    session: Session,
    *,
    config: AuthConfig,
    username: str,
    password: str,
    user_agent: str | None,
    ip: str | None,
    channel: str,
) -> tuple[User, AuthSession, str]:
    """Check the password and open a session; returns the user, the session and its token.

    `channel` is the route signed in through, for the interaction log.

    Raises:
        BadCredentials: unknown user, wrong password or deactivated user (one answer for all).
    """
    user = repository.find_user(session, username=username)
    valid = config.hasher.verify(user.password_hash if user else None, password)
    if user is None or not valid or not user.is_active:
        raise BadCredentials()
    now = utcnow()
    if config.hasher.needs_rehash(user.password_hash):
        user.password_hash = config.hasher.hash(password)
    user.last_login_at = now
    ttl = timedelta(minutes=config.settings.token_ttl_minutes)
    auth_session = AuthSession(
        id=new_id_str(),
        user_id=user.id,
        created_at=now,
        expires_at=now + ttl,
        last_seen_at=now,
        user_agent=(user_agent or "")[:300] or None,
        ip=ip,
    )
    session.add(auth_session)
    token = issue_token(
        key=config.signing_key,
        user_id=user.id,
        session_id=auth_session.id,
        now=now,
        ttl=ttl,
        audience=config.settings.jwt_audience,
        issuer=config.settings.jwt_issuer,
    )
    hooks.record(
        session,
        IdentityChange(
            actor=user_actor(user),
            action="auth.login",
            channel=channel,
            targets=[("user", user.id)],
            summary=f"signed in from {ip or 'unknown'}",
        ),
    )
    return user, auth_session, token


def current_session(session: Session, *, principal: Principal) -> tuple[User, AuthSession]:
    """The user and the session a signed-in principal's request came with.

    Raises:
        NotAllowed: an API key, which has no session.
        UnknownSession: the session or its user is gone.
    """
    if principal.session_id is None:
        raise NotAllowed("API keys have no session")
    auth_session = repository.get_session(session, principal.session_id)
    user = repository.get_user(session, principal.user_id)
    if auth_session is None or user is None:
        raise UnknownSession()
    return user, auth_session


def list_sessions(session: Session, *, user_id: str) -> list[AuthSession]:
    if repository.get_user(session, user_id) is None:
        raise UnknownUser()
    return repository.list_sessions(session, user_id=user_id, active_at=utcnow())


def end_session(session: Session, *, session_id: str, by: Principal, reason: str) -> AuthSession:
    """End one session: one's own, or anyone's for an admin."""
    auth_session = repository.get_session(session, session_id)
    if auth_session is None or (auth_session.user_id != by.user_id and not by.is_admin):
        raise UnknownSession()
    if auth_session.revoked_at is None:
        auth_session.revoked_at = utcnow()
        auth_session.revoked_reason = reason
        hooks.record(
            session,
            IdentityChange(
                actor=by.actor,
                action="auth.session_end",
                channel="session",
                targets=[("user", auth_session.user_id)],
                summary=reason,
                audited=Audited(
                    entity_type="auth_session",
                    entity_id=session_id,
                    action="revoke",
                    after={"reason": reason, "user_id": auth_session.user_id},
                ),
            ),
        )
    return auth_session


def end_user_sessions(session: Session, *, user_id: str, by: Principal) -> int:
    if repository.get_user(session, user_id) is None:
        raise UnknownUser()
    count = repository.revoke_sessions(
        session, user_id=user_id, at=utcnow(), reason="ended by admin"
    )
    hooks.record(
        session,
        IdentityChange(
            actor=by.actor,
            action="auth.sessions_end",
            channel="DELETE /api/admin/users/{id}/sessions",
            targets=[("user", user_id)],
            summary=f"ended {count} session(s)",
            audited=Audited(
                entity_type="user",
                entity_id=user_id,
                action="end_sessions",
                after={"sessions_ended": count},
            ),
        ),
    )
    return count
