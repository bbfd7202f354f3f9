"""The life of an aggregate: create, update, soft delete, restore, purge.

Each change bumps the version, is audited (before/after), lands in the interaction log as a touch
on the record, and goes out through the outbox as `crm.<aggregate>.<action>` with the full state.
Services call these after applying the change itself; the route owns the transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_api.audit import service as audit
from crm_api.auth.principal import Principal
from crm_api.database import utcnow
from crm_api.interactions import service as interactions
from crm_api.kit.errors import (
    InvalidValue,
    PreconditionRequired,
    RecordNotFound,
    StillReferenced,
    VersionConflict,
)
from crm_common.outbox import record_change

SOURCE = "/crm-api"
_BOOKKEEPING = {"version", "updated_at", "updated_by"}


class Aggregate(Protocol):
    id: str
    version: int
    created_by: str
    updated_by: str
    deleted_at: Any
    deleted_by: str | None
    updated_at: Any


@dataclass(frozen=True)
class Kind:
    """One aggregate type: its event name, its route, and how to render its full state."""

    name: str
    path: str
    state: Callable[[Any], dict[str, Any]]
    title: Callable[[Any], str] | None = None

    def label(self, obj: Any) -> str:
        if self.title is not None:
            return self.title(obj)
        return str(getattr(obj, "name", None) or obj.id)


def _publish(
    session: Session, kind: Kind, obj: Any, action: str, actor: Principal, data: dict[str, Any]
) -> None:
    record_change(
        session,
        source=SOURCE,
        event_type=f"crm.{kind.name}.{action}",
        aggregate_id=obj.id,
        version=obj.version,
        data=data,
        actor=actor.actor,
    )


def _touch(
    session: Session,
    kind: Kind,
    obj: Any,
    action: str,
    actor: Principal,
    channel: str,
    payload: Any = None,
    extra_targets: list[tuple[str, str]] | None = None,
) -> None:
    batch = interactions.gathering(session)
    if batch is not None:
        batch.add(
            action=f"{kind.name}.{action}", targets=[(kind.name, obj.id), *(extra_targets or [])]
        )
        return
    interactions.touch(
        session,
        actor=actor.actor,
        action=f"{kind.name}.{action}",
        channel=channel,
        targets=[(kind.name, obj.id), *(extra_targets or [])],
        summary=f"{action} {kind.name} {kind.label(obj)}",
        payload=payload,
    )


def stamp_new(obj: Any, actor: Principal) -> None:
    now = utcnow()
    obj.version = 1
    obj.created_at = obj.updated_at = now
    obj.created_by = obj.updated_by = actor.id


def created(
    session: Session,
    *,
    kind: Kind,
    obj: Any,
    actor: Principal,
    payload: Any = None,
    targets: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """Record a new aggregate (already added to the session); returns its state."""
    session.flush()
    state = kind.state(obj)
    audit.record(
        session,
        actor=actor.actor,
        entity_type=kind.name,
        entity_id=obj.id,
        action="create",
        after=state,
    )
    _touch(session, kind, obj, "create", actor, f"POST {kind.path}", payload, targets)
    _publish(session, kind, obj, "created", actor, state)
    return state


def expect_version(kind: Kind, obj: Any, expected: int | None) -> None:
    """Raises PreconditionRequired without a version, VersionConflict with an old one."""
    if expected is None:
        raise PreconditionRequired("send If-Match with the version you read (its ETag)")
    if obj.version != expected:
        raise VersionConflict(current_version=obj.version, current=kind.state(obj))


def updated(
    session: Session,
    *,
    kind: Kind,
    obj: Any,
    before: dict[str, Any],
    actor: Principal,
    payload: Any = None,
    action: str = "update",
    targets: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """Record a change already applied to `obj`; a no-op change records nothing."""
    session.flush()
    after = kind.state(obj)
    if {k: v for k, v in after.items() if k not in _BOOKKEEPING} == {
        k: v for k, v in before.items() if k not in _BOOKKEEPING
    }:
        return after
    obj.version += 1
    obj.updated_at = utcnow()
    obj.updated_by = actor.id
    session.flush()
    after = kind.state(obj)
    audit.record(
        session,
        actor=actor.actor,
        entity_type=kind.name,
        entity_id=obj.id,
        action=action,
        before=before,
        after=after,
    )
    _touch(session, kind, obj, action, actor, f"PATCH {kind.path}/{{id}}", payload, targets)
    _publish(session, kind, obj, "updated", actor, after)
    return after


def soft_deleted(session: Session, *, kind: Kind, obj: Any, actor: Principal) -> dict[str, Any]:
    before = kind.state(obj)
    if obj.deleted_at is None:
        obj.deleted_at = utcnow()
        obj.deleted_by = actor.id
        obj.version += 1
        obj.updated_at = obj.deleted_at
        obj.updated_by = actor.id
        session.flush()
        after = kind.state(obj)
        audit.record(
            session,
            actor=actor.actor,
            entity_type=kind.name,
            entity_id=obj.id,
            action="delete",
            before=before,
            after=after,
        )
        _touch(session, kind, obj, "delete", actor, f"DELETE {kind.path}/{{id}}")
        _publish(session, kind, obj, "deleted", actor, after)
        return after
    return before


def restored(session: Session, *, kind: Kind, obj: Any, actor: Principal) -> dict[str, Any]:
    before = kind.state(obj)
    if obj.deleted_at is not None:
        obj.deleted_at = None
        obj.deleted_by = None
        obj.version += 1
        obj.updated_at = utcnow()
        obj.updated_by = actor.id
        session.flush()
        after = kind.state(obj)
        audit.record(
            session,
            actor=actor.actor,
            entity_type=kind.name,
            entity_id=obj.id,
            action="restore",
            before=before,
            after=after,
        )
        _touch(session, kind, obj, "restore", actor, f"POST {kind.path}/{{id}}/restore")
        _publish(session, kind, obj, "restored", actor, after)
        return after
    return before


def purged(session: Session, *, kind: Kind, obj: Any, actor: Principal) -> None:
    """Erase a soft-deleted record for good (admins only, decided by the route).

    The audit log keeps its last state; the event carries only the id, so consumers drop it.

    Raises:
        InvalidValue: the record is not deleted (delete it first).
        StillReferenced: other records point to it.
    """
    if obj.deleted_at is None:
        label = kind.name.replace("_", " ")
        raise InvalidValue(f"only a deleted {label} can be purged; delete it first")
    before = kind.state(obj)
    version = obj.version + 1
    audit.record(
        session,
        actor=actor.actor,
        entity_type=kind.name,
        entity_id=obj.id,
        action="purge",
        before=before,
        after=None,
    )
    _touch(session, kind, obj, "purge", actor, f"POST {kind.path}/{{id}}/purge")
    record_change(
        session,
        source=SOURCE,
        event_type=f"crm.{kind.name}.purged",
        aggregate_id=obj.id,
        version=version,
        data={"id": obj.id, "purged": True},
        actor=actor.actor,
    )
    session.delete(obj)
    try:
        session.flush()
    except IntegrityError as exc:
        raise StillReferenced(
            f"other records still refer to this {kind.name}; purge or relink them first"
        ) from exc


A = TypeVar("A")


def require_live(obj: A | None, *, include_deleted: bool = False) -> A:
    """The record, or RecordNotFound when missing (or soft-deleted, unless asked for)."""
    if obj is None or (getattr(obj, "deleted_at", None) is not None and not include_deleted):
        raise RecordNotFound()
    return obj
