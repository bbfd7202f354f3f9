"""Identity rules: first run, users, and resolving a request's principal.

Sign-in and sessions are in crm_api.auth.sessions, API keys in crm_api.auth.keys. Every mutation
goes to the audit and interaction logs (crm_api.auth.hooks) and out through the outbox (users
without their hash).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_api.auth import hooks, repository
from crm_api.auth.errors import (
    BadCredentials,
    NotAllowed,
    NotAuthenticated,
    SetupDone,
    UnknownUser,
    UsernameTaken,
)
from crm_api.auth.hooks import Audited, IdentityChange
from crm_api.auth.models import Bootstrap, User
from crm_api.auth.passwords import Hasher, check_policy
from crm_api.auth.principal import SYSTEM, Principal, Role, Scope
from crm_api.auth.schemas import RegisterFirstAdmin, UserCreate, UserRead, UserUpdate
from crm_api.auth.tokens import TokenClaims, api_key_matches, parse_api_key
from crm_api.database import utcnow
from crm_api.settings import Settings
from crm_common.events import Actor
from crm_common.ids import new_id_str
from crm_common.outbox import record_change

SOURCE = "/crm-api"
# Writing last_seen/last_used on every request would turn each read into a write.
_TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class AuthConfig:
    settings: Settings
    hasher: Hasher
    signing_key: str

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthConfig:
        return cls(
            settings=settings,
            hasher=Hasher(
                memory_kib=settings.argon2_memory_kib,
                time_cost=settings.argon2_time_cost,
                parallelism=settings.argon2_parallelism,
            ),
            signing_key=settings.signing_key(),
        )


# -- state published and audited -------------------------------------------------------------------


def user_state(user: User) -> dict[str, Any]:
    return UserRead.model_validate(user).model_dump(mode="json") | {"version": user.version}


def _publish_user(session: Session, user: User, action: str, actor: Actor) -> None:
    record_change(
        session,
        source=SOURCE,
        event_type=f"crm.user.{action}",
        aggregate_id=user.id,
        version=user.version,
        data=user_state(user),
        actor=actor,
    )


def user_actor(user: User) -> Actor:
    return Actor(kind="user", id=user.id, name=user.username)


# -- first run and users ---------------------------------------------------------------------------


def setup_required(session: Session) -> bool:
    return not repository.bootstrap_done(session)


def _new_user(
    session: Session, *, config: AuthConfig, data: UserCreate | RegisterFirstAdmin, role: Role
) -> User:
    check_policy(data.password, user_inputs=[data.username, str(data.email or "")])
    email = str(data.email).lower() if data.email else None
    if repository.identity_taken(session, username=data.username, email=email, exclude=None):
        raise UsernameTaken()
    user = User(
        id=new_id_str(),
        username=data.username,
        email=email,
        display_name=data.display_name or data.username,
        password_hash=config.hasher.hash(data.password),
        role=role.value,
        is_active=True,
        version=1,
        password_changed_at=utcnow(),
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        raise UsernameTaken() from exc
    return user


def register_first_admin(session: Session, *, config: AuthConfig, data: RegisterFirstAdmin) -> User:
    """Create the first user, as admin. Refused forever once any admin was set up.

    Two concurrent registrations both try to insert the single bootstrap row; the loser's
    transaction fails on its primary key and is refused.

    Raises:
        SetupDone: setup is complete.
        WeakPassword, UsernameTaken: the data is refused.
    """
    if repository.bootstrap_done(session) or repository.user_count(session) > 0:
        raise SetupDone("an administrator already exists; ask them for an account")
    user = _new_user(session, config=config, data=data, role=Role.ADMIN)
    session.add(Bootstrap(id=1, user_id=user.id, completed_at=utcnow()))
    try:
        session.flush()
    except IntegrityError as exc:
        raise SetupDone("an administrator already exists; ask them for an account") from exc
    actor = user_actor(user)
    hooks.record(
        session,
        IdentityChange(
            actor=actor,
            action="user.register",
            channel="POST /api/auth/register",
            targets=[("user", user.id)],
            summary="first administrator registered",
            audited=Audited(
                entity_type="user", entity_id=user.id, action="register", after=user_state(user)
            ),
        ),
    )
    _publish_user(session, user, "created", actor)
    return user


def create_user(
    session: Session, *, config: AuthConfig, data: UserCreate, by: Principal | None
) -> User:
    """An admin creates a user (or, with `by=None`, an operator on the command line)."""
    user = _new_user(session, config=config, data=data, role=data.role)
    if by is None and data.role is Role.ADMIN and not repository.bootstrap_done(session):
        session.add(Bootstrap(id=1, user_id=user.id, completed_at=utcnow()))
    actor = by.actor if by is not None else SYSTEM
    hooks.record(
        session,
        IdentityChange(
            actor=actor,
            action="user.create",
            channel="POST /api/admin/users",
            targets=[("user", user.id)],
            summary=f"created {data.role.value} {user.username}",
            audited=Audited(
                entity_type="user", entity_id=user.id, action="create", after=user_state(user)
            ),
        ),
    )
    _publish_user(session, user, "created", actor)
    return user


def get_user(session: Session, *, user_id: str) -> User:
    user = repository.get_user(session, user_id)
    if user is None:
        raise UnknownUser()
    return user


def list_users(session: Session) -> list[User]:
    return repository.list_users(session)


def update_user(session: Session, *, user_id: str, changes: UserUpdate, by: Principal) -> User:
    """Change a user's role, activity or profile. Deactivation ends every session at once."""
    user = repository.get_user(session, user_id)
    if user is None:
        raise UnknownUser()
    before = user_state(user)
    fields = changes.model_dump(exclude_unset=True)
    if fields.get("email") is not None:
        fields["email"] = str(fields["email"]).lower()
        if repository.identity_taken(
            session, username=user.username, email=fields["email"], exclude=user.id
        ):
            raise UsernameTaken()
    if user.id == by.user_id and (
        fields.get("is_active") is False or fields.get("role", Role.ADMIN) != Role.ADMIN
    ):
        raise NotAllowed("an administrator cannot deactivate or demote themselves")
    now = utcnow()
    for name, value in fields.items():
        setattr(user, name, value.value if isinstance(value, Role) else value)
    if fields.get("is_active") is False:
        user.deactivated_at = now
        repository.revoke_sessions(session, user_id=user.id, at=now, reason="deactivated")
    elif fields.get("is_active") is True:
        user.deactivated_at = None
    after = user_state(user)
    if after == before:
        return user
    user.version += 1
    after["version"] = user.version
    hooks.record(
        session,
        hooks.updated(
            actor=by.actor,
            target=("user", user.id),
            before=before,
            after=after,
            channel="PATCH /api/admin/users/{id}",
            payload=fields,
        ),
    )
    _publish_user(session, user, "updated", by.actor)
    return user


def change_password(
    session: Session, *, config: AuthConfig, by: Principal, current: str, new: str
) -> None:
    """Change one's own password; every other session of the user ends.

    Raises:
        BadCredentials: the current password is wrong.
        WeakPassword: the new one breaks the policy.
    """
    user = repository.get_user(session, by.user_id)
    if user is None or not config.hasher.verify(user.password_hash, current):
        raise BadCredentials("current password is wrong")
    check_policy(new, user_inputs=[user.username, user.email or ""])
    now = utcnow()
    user.password_hash = config.hasher.hash(new)
    user.password_changed_at = now
    user.version += 1
    ended = repository.revoke_sessions(
        session, user_id=user.id, at=now, reason="password changed", keep=by.session_id
    )
    hooks.record(
        session,
        IdentityChange(
            actor=by.actor,
            action="auth.password_change",
            channel="POST /api/auth/password",
            targets=[("user", user.id)],
            summary=f"password changed; {ended} other session(s) ended",
            audited=Audited(
                entity_type="user",
                entity_id=user.id,
                action="change_password",
                after={"other_sessions_ended": ended},
            ),
        ),
    )
    _publish_user(session, user, "updated", by.actor)


# -- the principal of a request --------------------------------------------------------------------


def principal_from_token(session: Session, *, claims: TokenClaims) -> tuple[Principal, bool]:
    """The principal of a session token; also whether its last-seen time is due a write.

    Raises:
        NotAuthenticated: the session is unknown, revoked or expired, or its user is inactive.
    """
    auth_session = repository.get_session(session, claims.session_id)
    now = utcnow()
    if (
        auth_session is None
        or auth_session.user_id != claims.user_id
        or auth_session.revoked_at is not None
        or auth_session.expires_at <= now
    ):
        raise NotAuthenticated("session ended; sign in again")
    user = repository.get_user(session, claims.user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated("account inactive")
    principal = Principal(
        kind="user",
        id=user.id,
        name=user.username,
        role=Role(user.role),
        user_id=user.id,
        session_id=auth_session.id,
    )
    return principal, now - auth_session.last_seen_at > _TOUCH_EVERY


def principal_from_api_key(session: Session, *, key: str) -> tuple[Principal, bool]:
    """The principal of an API key; also whether its last-used time is due a write.

    Raises:
        NotAuthenticated: malformed, unknown, revoked or expired key, or inactive owner.
    """
    prefix = parse_api_key(key)
    row = repository.find_api_key(session, prefix=prefix)
    now = utcnow()
    if row is None or not api_key_matches(key, row.key_hash):
        raise NotAuthenticated("invalid API key")
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        raise NotAuthenticated("API key revoked or expired")
    owner = repository.get_user(session, row.owner_id)
    if owner is None or not owner.is_active:
        raise NotAuthenticated("the key's owner is inactive")
    scopes = frozenset(Scope(s) for s in row.scopes)
    principal = Principal(
        kind="agent",
        id=row.id,
        name=row.name,
        role=Role.AGENT,
        user_id=owner.id,
        scopes=scopes,
        api_key_id=row.id,
    )
    due = row.last_used_at is None or now - row.last_used_at > _TOUCH_EVERY
    return principal, due


def still_valid(session: Session, *, principal: Principal) -> Principal:
    """`principal` as it stands now, for work done on its behalf later (a background import):
    its user re-read (role, active), its API key still unrevoked and unexpired.

    Raises:
        NotAuthenticated: the user is inactive, or the key revoked or expired.
    """
    user = repository.get_user(session, principal.user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated("account inactive")
    if principal.api_key_id is None:
        return Principal(
            kind="user", id=user.id, name=user.username, role=Role(user.role), user_id=user.id
        )
    key = repository.get_api_key(session, principal.api_key_id)
    if (
        key is None
        or key.revoked_at is not None
        or (key.expires_at is not None and key.expires_at <= utcnow())
    ):
        raise NotAuthenticated("API key revoked or expired")
    return Principal(
        kind="agent",
        id=key.id,
        name=key.name,
        role=Role.AGENT,
        user_id=user.id,
        scopes=frozenset(Scope(s) for s in key.scopes),
        api_key_id=key.id,
    )


def touch_principal(session: Session, *, principal: Principal) -> None:
    now = utcnow()
    if principal.session_id is not None:
        auth_session = repository.get_session(session, principal.session_id)
        if auth_session is not None:
            auth_session.last_seen_at = now
    if principal.api_key_id is not None:
        row = repository.get_api_key(session, principal.api_key_id)
        if row is not None:
            row.last_used_at = now
