"""Identity rules: first run, users, sessions, API keys, and resolving a request's principal.

Every mutation is audited, appended to the interaction log, and published through the outbox
(users without their hash, keys without theirs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_api.audit import service as audit
from crm_api.auth import repository
from crm_api.auth.errors import (
    BadCredentials,
    NotAllowed,
    NotAuthenticated,
    SetupDone,
    UnknownApiKey,
    UnknownSession,
    UnknownUser,
    UsernameTaken,
)
from crm_api.auth.models import ApiKey, AuthSession, Bootstrap, User
from crm_api.auth.passwords import Hasher, check_policy
from crm_api.auth.principal import Principal, Role, Scope
from crm_api.auth.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    ApiKeySettings,
    RegisterFirstAdmin,
    UserCreate,
    UserRead,
    UserUpdate,
)
from crm_api.auth.tokens import (
    TokenClaims,
    api_key_matches,
    generate_api_key,
    hash_api_key,
    issue_token,
    parse_api_key,
)
from crm_api.database import utcnow
from crm_api.interactions import service as interactions
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


def api_key_state(key: ApiKey) -> dict[str, Any]:
    return ApiKeyRead.model_validate(key).model_dump(mode="json") | {"version": key.version}


def _record_update(
    session: Session,
    by: Principal,
    target: tuple[str, str],
    before: dict[str, Any],
    after: dict[str, Any],
    channel: str,
    fields: dict[str, Any],
) -> None:
    """An admin's change to a user or a key, in the audit log and the interaction log."""
    entity_type, entity_id = target
    audit.record(
        session,
        actor=by.actor,
        entity_type=entity_type,
        entity_id=entity_id,
        action="update",
        before=before,
        after=after,
    )
    interactions.touch(
        session,
        actor=by.actor,
        action=f"{entity_type}.update",
        channel=channel,
        targets=[target],
        summary=", ".join(sorted(audit.diff(before, after))),
        payload=fields,
    )


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


def _publish_api_key(session: Session, key: ApiKey, action: str, actor: Actor) -> None:
    record_change(
        session,
        source=SOURCE,
        event_type=f"crm.api_key.{action}",
        aggregate_id=key.id,
        version=key.version,
        data=api_key_state(key),
        actor=actor,
    )


def _user_actor(user: User) -> Actor:
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
    actor = _user_actor(user)
    audit.record(
        session,
        actor=actor,
        entity_type="user",
        entity_id=user.id,
        action="register",
        after=user_state(user),
    )
    interactions.touch(
        session,
        actor=actor,
        action="user.register",
        channel="POST /api/auth/register",
        targets=[("user", user.id)],
        summary="first administrator registered",
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
    actor = by.actor if by is not None else audit.SYSTEM
    audit.record(
        session,
        actor=actor,
        entity_type="user",
        entity_id=user.id,
        action="create",
        after=user_state(user),
    )
    interactions.touch(
        session,
        actor=actor,
        action="user.create",
        channel="POST /api/admin/users",
        targets=[("user", user.id)],
        summary=f"created {data.role.value} {user.username}",
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
    _record_update(
        session, by, ("user", user.id), before, after, "PATCH /api/admin/users/{id}", fields
    )
    _publish_user(session, user, "updated", by.actor)
    return user


# -- sessions --------------------------------------------------------------------------------------


def login(
    session: Session,
    *,
    config: AuthConfig,
    username: str,
    password: str,
    user_agent: str | None,
    ip: str | None,
) -> tuple[User, AuthSession, str]:
    """Check the password and open a session; returns the user, the session and its token.

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
    interactions.touch(
        session,
        actor=_user_actor(user),
        action="auth.login",
        channel="POST /api/auth/login",
        targets=[("user", user.id)],
        summary=f"signed in from {ip or 'unknown'}",
    )
    return user, auth_session, token


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
        audit.record(
            session,
            actor=by.actor,
            entity_type="auth_session",
            entity_id=session_id,
            action="revoke",
            after={"reason": reason, "user_id": auth_session.user_id},
        )
        interactions.touch(
            session,
            actor=by.actor,
            action="auth.session_end",
            channel="session",
            targets=[("user", auth_session.user_id)],
            summary=reason,
        )
    return auth_session


def end_user_sessions(session: Session, *, user_id: str, by: Principal) -> int:
    if repository.get_user(session, user_id) is None:
        raise UnknownUser()
    count = repository.revoke_sessions(
        session, user_id=user_id, at=utcnow(), reason="ended by admin"
    )
    audit.record(
        session,
        actor=by.actor,
        entity_type="user",
        entity_id=user_id,
        action="end_sessions",
        after={"sessions_ended": count},
    )
    interactions.touch(
        session,
        actor=by.actor,
        action="auth.sessions_end",
        channel="DELETE /api/admin/users/{id}/sessions",
        targets=[("user", user_id)],
        summary=f"ended {count} session(s)",
    )
    return count


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
    audit.record(
        session,
        actor=by.actor,
        entity_type="user",
        entity_id=user.id,
        action="change_password",
        after={"other_sessions_ended": ended},
    )
    interactions.touch(
        session,
        actor=by.actor,
        action="auth.password_change",
        channel="POST /api/auth/password",
        targets=[("user", user.id)],
        summary=f"password changed; {ended} other session(s) ended",
    )
    _publish_user(session, user, "updated", by.actor)


# -- API keys --------------------------------------------------------------------------------------


def create_api_key(session: Session, *, data: ApiKeyCreate, by: Principal) -> ApiKeyCreated:
    """Create a key; the key itself is in the answer and nowhere else.

    Members create keys for themselves with `read` and `write:logged`; only admins grant `admin`
    or create keys for another user.
    """
    if by.kind != "user":
        raise NotAllowed("API keys are created by people, not by other keys")
    owner_id = data.owner_id or by.user_id
    if owner_id != by.user_id and not by.is_admin:
        raise NotAllowed("only an administrator may create a key for someone else")
    if Scope.ADMIN in data.scopes and not by.is_admin:
        raise NotAllowed("only an administrator may grant the admin scope")
    owner = repository.get_user(session, owner_id)
    if owner is None or not owner.is_active:
        raise UnknownUser("the key's owner does not exist or is inactive")
    if data.expires_at is not None and data.expires_at <= utcnow():
        raise NotAllowed("expires_at is in the past")
    plaintext, prefix = generate_api_key()
    row = ApiKey(
        id=new_id_str(),
        name=data.name,
        prefix=prefix,
        key_hash=hash_api_key(plaintext),
        owner_id=owner_id,
        created_by=by.user_id,
        scopes=sorted({s.value for s in data.scopes}),
        expires_at=data.expires_at,
        version=1,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=by.actor,
        entity_type="api_key",
        entity_id=row.id,
        action="create",
        after=api_key_state(row),
    )
    interactions.touch(
        session,
        actor=by.actor,
        action="api_key.create",
        channel="POST /api/api-keys",
        targets=[("api_key", row.id), ("user", owner_id)],
        summary=f"key {row.name!r} with scopes {', '.join(row.scopes)}",
    )
    _publish_api_key(session, row, "created", by.actor)
    return ApiKeyCreated(**ApiKeyRead.model_validate(row).model_dump(), key=plaintext)


def list_api_keys(session: Session, *, owner_id: str | None) -> list[ApiKey]:
    return repository.list_api_keys(session, owner_id=owner_id)


def revoke_api_key(session: Session, *, key_id: str, by: Principal) -> ApiKey:
    """Revoke a key: one's own, or any for an admin. The row stays, for the record."""
    row = repository.get_api_key(session, key_id)
    if row is None or (row.owner_id != by.user_id and not by.is_admin):
        raise UnknownApiKey()
    if row.revoked_at is not None:
        return row
    before = api_key_state(row)
    row.revoked_at = utcnow()
    row.revoked_by = by.user_id
    row.version += 1
    audit.record(
        session,
        actor=by.actor,
        entity_type="api_key",
        entity_id=row.id,
        action="revoke",
        before=before,
        after=api_key_state(row),
    )
    interactions.touch(
        session,
        actor=by.actor,
        action="api_key.revoke",
        channel="POST /api/api-keys/{id}/revoke",
        targets=[("api_key", row.id)],
        summary=f"revoked key {row.name!r}",
    )
    _publish_api_key(session, row, "updated", by.actor)
    return row


def get_api_key(session: Session, *, key_id: str) -> ApiKey:
    """Raises UnknownApiKey."""
    row = repository.get_api_key(session, key_id)
    if row is None:
        raise UnknownApiKey()
    return row


def own_api_key(session: Session, *, principal: Principal) -> ApiKey:
    """The key the caller authenticated with.

    Raises:
        UnknownApiKey: the caller is a signed-in user, not a key.
    """
    if principal.api_key_id is None:
        raise UnknownApiKey("this is for API keys: you are signed in as a user")
    return get_api_key(session, key_id=principal.api_key_id)


def update_api_key_settings(
    session: Session, *, key_id: str, changes: ApiKeySettings, by: Principal
) -> ApiKey:
    """An admin sets a key's settings; `rate_limit_per_minute: null` restores the default."""
    row = get_api_key(session, key_id=key_id)
    before = api_key_state(row)
    fields = changes.model_dump(exclude_unset=True)
    if fields.get("allow_untrusted_writes") is None:
        fields.pop("allow_untrusted_writes", None)
    for name, value in fields.items():
        setattr(row, name, value)
    after = api_key_state(row)
    if after == before:
        return row
    row.version += 1
    after["version"] = row.version
    _record_update(
        session, by, ("api_key", row.id), before, after, "PATCH /api/admin/api-keys/{id}", fields
    )
    _publish_api_key(session, row, "updated", by.actor)
    return row
