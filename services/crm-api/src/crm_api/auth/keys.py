"""API keys: creating, listing, revoking and setting them.

A key is shown once, when created; the row keeps its prefix and hash. Every mutation goes to the
audit and interaction logs (crm_api.auth.hooks) and out through the outbox (keys without their
hash).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth import hooks, repository
from crm_api.auth.errors import NotAllowed, UnknownApiKey, UnknownUser
from crm_api.auth.hooks import Audited, IdentityChange
from crm_api.auth.models import ApiKey
from crm_api.auth.principal import Principal, Scope
from crm_api.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead, ApiKeySettings
from crm_api.auth.tokens import generate_api_key, hash_api_key
from crm_api.database import utcnow
from crm_common.events import Actor
from crm_common.ids import new_id_str
from crm_common.outbox import record_change

SOURCE = "/crm-api"


def api_key_state(key: ApiKey) -> dict[str, Any]:
    return ApiKeyRead.model_validate(key).model_dump(mode="json") | {"version": key.version}


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
    hooks.record(
        session,
        IdentityChange(
            actor=by.actor,
            action="api_key.create",
            channel="POST /api/api-keys",
            targets=[("api_key", row.id), ("user", owner_id)],
            summary=f"key {row.name!r} with scopes {', '.join(row.scopes)}",
            audited=Audited(
                entity_type="api_key", entity_id=row.id, action="create", after=api_key_state(row)
            ),
        ),
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
    hooks.record(
        session,
        IdentityChange(
            actor=by.actor,
            action="api_key.revoke",
            channel="POST /api/api-keys/{id}/revoke",
            targets=[("api_key", row.id)],
            summary=f"revoked key {row.name!r}",
            audited=Audited(
                entity_type="api_key",
                entity_id=row.id,
                action="revoke",
                before=before,
                after=api_key_state(row),
            ),
        ),
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
    hooks.record(
        session,
        hooks.updated(
            actor=by.actor,
            target=("api_key", row.id),
            before=before,
            after=after,
            channel="PATCH /api/admin/api-keys/{id}",
            payload=fields,
        ),
    )
    _publish_api_key(session, row, "updated", by.actor)
    return row
