"""Saved views of the grid: filters (a condition), sorts, visible and ordered columns, grouping,
frozen columns, the amount the cells show, and an optional list.

- Personal (only its owner sees it) or shared (everyone sees it). A view nobody may see is 404.
- Anyone may edit a shared view; only its owner may share or unshare it, or edit a personal one.
  Deleting: the owner, or an admin for a shared view.
- Column refs name live funds and live custom columns when written (422 otherwise); a fund or
  column deleted later simply drops out of the view.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.grid import conditions
from crm_api.grid.columns import service as grid_columns
from crm_api.grid.models import GridView
from crm_api.grid.views import repository
from crm_api.grid.views.schemas import (
    GridViewCreate,
    GridViewFilter,
    GridViewList,
    GridViewRead,
    GridViewUpdate,
    SortKey,
)
from crm_api.kit import aggregate
from crm_api.kit.errors import InvalidValue, RecordNotFound
from crm_common.errors import Forbidden


class NotYourView(Forbidden):
    title = "Only the view's owner may do that"
    slug = "not-your-view"


def view_read(view: GridView) -> GridViewRead:
    return GridViewRead(
        id=view.id,
        version=view.version,
        created_at=view.created_at,
        updated_at=view.updated_at,
        created_by=view.created_by,
        updated_by=view.updated_by,
        deleted_at=view.deleted_at,
        name=view.name,
        owner_id=view.owner_id,
        is_shared=view.is_shared,
        list_key=view.list_key,
        filters=view.filters,
        sorts=[SortKey.model_validate(s) for s in view.sorts or []],
        columns=None if view.columns is None else list(view.columns),
        group_by=view.group_by,
        frozen_columns=view.frozen_columns,
        amount_field=view.amount_field,
    )


def view_state(view: GridView) -> dict[str, Any]:
    return view_read(view).model_dump(mode="json")


KIND = aggregate.Kind(name="grid_view", path="/api/grid/views", state=view_state)


def _visible(view: GridView | None, by: Principal, *, include_deleted: bool = False) -> GridView:
    if view is None or not (view.is_shared or view.owner_id == by.user_id):
        raise RecordNotFound()
    return aggregate.require_live(view, include_deleted=include_deleted)


def get_view(
    session: Session, *, view_id: str, by: Principal, include_deleted: bool = False
) -> GridView:
    """The view, if `by` may see it.

    Raises:
        RecordNotFound: no such view, deleted, or someone else's personal view.
    """
    return _visible(repository.get_view(session, view_id), by, include_deleted=include_deleted)


def read_view(session: Session, *, record_id: str, by: Principal) -> GridViewRead:
    return view_read(get_view(session, view_id=record_id, by=by))


def list_views(session: Session, *, filters: GridViewFilter, by: Principal) -> GridViewList:
    found = repository.views(
        session, user_id=by.user_id, scope=filters.scope, deleted=filters.deleted
    )
    return GridViewList(items=[view_read(v) for v in found])


def _check_refs(session: Session, columns: list[str] | None, list_key: str | None) -> None:
    if list_key is not None and not repository.list_exists(session, list_key):
        raise InvalidValue(f"list_key: no list {list_key!r}", field="list_key")
    if columns is None:
        return
    if len(set(columns)) != len(columns):
        raise InvalidValue("columns: a column is listed twice", field="columns")
    funds = {f.id for f in grid_columns.live_funds(session)}
    keys = {c.key for c in grid_columns.custom_columns(session)}
    for ref in columns:
        kind, _, name = ref.partition(":")
        if kind == "fund" and name not in funds:
            raise InvalidValue(f"columns: no live fund {name}", field="columns")
        if kind == "column" and name not in keys:
            raise InvalidValue(f"columns: no live custom column {name!r}", field="columns")


def create_view(session: Session, *, data: GridViewCreate, by: Principal) -> dict[str, Any]:
    _check_refs(session, data.columns, data.list_key)
    view = GridView(
        name=data.name,
        owner_id=by.user_id,
        is_shared=data.is_shared,
        list_key=data.list_key,
        filters=conditions.dump(data.filters),
        sorts=[s.model_dump(mode="json") for s in data.sorts],
        columns=data.columns,
        group_by=data.group_by,
        frozen_columns=data.frozen_columns,
        amount_field=data.amount_field.value,
    )
    aggregate.stamp_new(view, by)
    session.add(view)
    return aggregate.created(
        session, kind=KIND, obj=view, actor=by, payload=data.model_dump(mode="json")
    )


def update_view(
    session: Session,
    *,
    record_id: str,
    data: GridViewUpdate,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    view = get_view(session, view_id=record_id, by=by)
    fields = data.model_dump(exclude_unset=True)
    is_owner = view.owner_id == by.user_id
    if not is_owner and ("is_shared" in fields or not view.is_shared):
        raise NotYourView("only the view's owner may share, unshare or change a personal view")
    aggregate.expect_version(KIND, view, expected_version)
    before = view_state(view)
    for name in ("name", "is_shared", "sorts", "frozen_columns", "amount_field"):
        if name in fields and fields[name] is None:
            raise InvalidValue(f"{name} must not be null", field=name)
    _check_refs(
        session,
        data.columns if "columns" in fields else None,
        data.list_key if "list_key" in fields else None,
    )
    if data.name is not None:
        if not data.name.strip():
            raise InvalidValue("name must not be blank", field="name")
        view.name = data.name.strip()
    if data.is_shared is not None:
        view.is_shared = data.is_shared
    if "list_key" in fields:
        view.list_key = data.list_key
    if "filters" in fields:
        view.filters = conditions.dump(data.filters)
    if data.sorts is not None:
        view.sorts = [s.model_dump(mode="json") for s in data.sorts]
    if "columns" in fields:
        view.columns = data.columns
    if "group_by" in fields:
        view.group_by = data.group_by
    if data.frozen_columns is not None:
        view.frozen_columns = data.frozen_columns
    if data.amount_field is not None:
        view.amount_field = data.amount_field.value
    return aggregate.updated(
        session,
        kind=KIND,
        obj=view,
        before=before,
        actor=by,
        payload=data.model_dump(mode="json", exclude_unset=True),
    )


def _may_remove(view: GridView, by: Principal) -> None:
    if view.owner_id != by.user_id and not (view.is_shared and by.is_admin):
        raise NotYourView("only the view's owner (or an admin, for a shared view) may do that")


def delete_view(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    view = get_view(session, view_id=record_id, by=by, include_deleted=True)
    _may_remove(view, by)
    return aggregate.soft_deleted(session, kind=KIND, obj=view, actor=by)


def restore_view(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    view = get_view(session, view_id=record_id, by=by, include_deleted=True)
    _may_remove(view, by)
    return aggregate.restored(session, kind=KIND, obj=view, actor=by)


def purge_view(session: Session, *, record_id: str, by: Principal) -> None:
    view = aggregate.require_live(repository.get_view(session, record_id), include_deleted=True)
    aggregate.purged(session, kind=KIND, obj=view, actor=by)
