"""Saved views of the browser app's lists (contacts, the audit log, follow-ups, ...): a name and
the list's query parameters, in the owner's menu at a position, and optionally shared.

- A reader sees their own views and everyone's shared ones; someone else's personal view is 404.
- Only the owner changes, shares, deletes or restores a view; an admin may too, for a view they
  can see (a shared one).
- A name is unique among the owner's live views of a list, whatever its case (409 on `name`).

Errors: RecordNotFound (404), NotYourView (403), DuplicateRecord (409), PreconditionRequired
(428) and VersionConflict (409) on a change without or with a stale If-Match.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth import service as users
from crm_api.auth.principal import Principal
from crm_api.kit import aggregate
from crm_api.kit.errors import DuplicateRecord, InvalidValue, RecordNotFound
from crm_api.kit.repository import unique_or_duplicate
from crm_api.saved_views import repository
from crm_api.saved_views.models import SavedView
from crm_api.saved_views.schemas import (
    SavedViewCreate,
    SavedViewFilter,
    SavedViewList,
    SavedViewRead,
    SavedViewUpdate,
)
from crm_common.errors import Forbidden


class NotYourView(Forbidden):
    title = "Only the view's owner may do that"
    slug = "not-your-view"


# The live-unique index refused: a concurrent write got there first.
NAME_TAKEN = "you already have a view of this list with this name"


def _to_read(view: SavedView, owner_name: str) -> SavedViewRead:
    return SavedViewRead(
        id=view.id,
        version=view.version,
        created_at=view.created_at,
        updated_at=view.updated_at,
        created_by=view.created_by,
        updated_by=view.updated_by,
        deleted_at=view.deleted_at,
        owner_id=view.owner_id,
        owner_name=owner_name,
        list_key=view.list_key,
        name=view.name,
        params=dict(view.params or {}),
        is_shared=view.is_shared,
        position=view.position,
    )


def state(view: SavedView) -> dict[str, Any]:
    """What the view's events and audit entries carry: its read without the owner's name (a
    rename of the user is not a change of the view)."""
    return _to_read(view, "").model_dump(mode="json", exclude={"owner_name"})


KIND = aggregate.Kind(name="saved_view", path="/api/views", state=state)


def _owner_name(session: Session, user_id: str) -> str:
    user = users.get_user(session, user_id=user_id)
    return user.display_name or user.username


def _read(session: Session, view: SavedView, names: dict[str, str] | None = None) -> SavedViewRead:
    names = {} if names is None else names
    if view.owner_id not in names:
        names[view.owner_id] = _owner_name(session, view.owner_id)
    return _to_read(view, names[view.owner_id])


def _answer(session: Session, view: SavedView, changed: dict[str, Any]) -> dict[str, Any]:
    return changed | {"owner_name": _owner_name(session, view.owner_id)}


def get_view(
    session: Session, *, view_id: str, by: Principal, include_deleted: bool = False
) -> SavedView:
    """The view, if `by` may see it.

    Raises:
        RecordNotFound: no such view, deleted, or someone else's personal view.
    """
    view = repository.get(session, view_id)
    if view is None or not (view.is_shared or view.owner_id == by.user_id):
        raise RecordNotFound()
    return aggregate.require_live(view, include_deleted=include_deleted)


def _may_change(view: SavedView, by: Principal) -> None:
    if view.owner_id != by.user_id and not by.is_admin:
        raise NotYourView("only the view's owner (or an admin) may change or delete it")


def _name_key(name: str) -> str:
    return name.casefold()


def _require_free_name(
    session: Session, *, owner_id: str, list_key: str, name: str, own: str = ""
) -> None:
    taken = repository.live_with_name(
        session, owner_id=owner_id, list_key=list_key, name_key=_name_key(name)
    )
    if taken is not None and taken != own:
        raise DuplicateRecord(
            f"you already have a view of {list_key} called {name!r}", field="name", view_id=taken
        )


def read_view(session: Session, *, record_id: str, by: Principal) -> SavedViewRead:
    return _read(session, get_view(session, view_id=record_id, by=by))


def list_views(session: Session, *, filters: SavedViewFilter, by: Principal) -> SavedViewList:
    found = repository.visible(
        session, user_id=by.user_id, list_key=filters.list_key, deleted=filters.deleted
    )
    names: dict[str, str] = {}
    return SavedViewList(items=[_read(session, v, names) for v in found])


def create_view(session: Session, *, data: SavedViewCreate, by: Principal) -> dict[str, Any]:
    _require_free_name(session, owner_id=by.user_id, list_key=data.list_key, name=data.name)
    position = data.position
    if position is None:
        position = repository.next_position(session, owner_id=by.user_id, list_key=data.list_key)
    view = SavedView(
        owner_id=by.user_id,
        list_key=data.list_key,
        name=data.name,
        name_key=_name_key(data.name),
        params=dict(data.params),
        is_shared=data.is_shared,
        position=position,
    )
    aggregate.stamp_new(view, by)
    session.add(view)
    with unique_or_duplicate(NAME_TAKEN, field="name"):
        session.flush()
    created = aggregate.created(
        session, kind=KIND, obj=view, actor=by, payload=data.model_dump(mode="json")
    )
    return _answer(session, view, created)


def update_view(
    session: Session,
    *,
    record_id: str,
    data: SavedViewUpdate,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    view = get_view(session, view_id=record_id, by=by)
    _may_change(view, by)
    aggregate.expect_version(KIND, view, expected_version)
    fields = data.model_dump(exclude_unset=True)
    for name in ("name", "params", "is_shared", "position"):
        if name in fields and fields[name] is None:
            raise InvalidValue(f"{name} must not be null", field=name)
    before = state(view)
    if data.name is not None:
        _require_free_name(
            session, owner_id=view.owner_id, list_key=view.list_key, name=data.name, own=view.id
        )
        view.name = data.name
        view.name_key = _name_key(data.name)
    if data.params is not None:
        view.params = dict(data.params)
    if data.is_shared is not None:
        view.is_shared = data.is_shared
    if data.position is not None:
        view.position = data.position
    with unique_or_duplicate(NAME_TAKEN, field="name"):
        changed = aggregate.updated(
            session,
            kind=KIND,
            obj=view,
            before=before,
            actor=by,
            payload=data.model_dump(mode="json", exclude_unset=True),
        )
    return _answer(session, view, changed)


def delete_view(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    view = get_view(session, view_id=record_id, by=by, include_deleted=True)
    _may_change(view, by)
    return _answer(session, view, aggregate.soft_deleted(session, kind=KIND, obj=view, actor=by))


def restore_view(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    """Raises DuplicateRecord when the owner has since given another live view its name."""
    view = get_view(session, view_id=record_id, by=by, include_deleted=True)
    _may_change(view, by)
    if view.deleted_at is not None:
        _require_free_name(
            session, owner_id=view.owner_id, list_key=view.list_key, name=view.name, own=view.id
        )
    with unique_or_duplicate(NAME_TAKEN, field="name"):
        restored = aggregate.restored(session, kind=KIND, obj=view, actor=by)
    return _answer(session, view, restored)
