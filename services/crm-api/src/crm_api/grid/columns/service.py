"""The grid's columns: the live funds (a cell is the investor's opportunity in one), then the
custom columns.

Custom columns: a key (never changes, unique among all columns, deleted or not, since row values
are kept under it), a label, a type (never changes) and its options, a position, a width. A column
cannot be purged while a row holds a value under its key. A row's custom values are checked
against their columns here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.custom_fields import service as custom_fields
from crm_api.custom_fields.models import CustomField
from crm_api.custom_fields.schemas import CHOICE_TYPES, FieldType
from crm_api.funds.models import Fund
from crm_api.grid.columns import repository
from crm_api.grid.columns.schemas import (
    GridColumnCreate,
    GridColumnList,
    GridColumnRead,
    GridColumnUpdate,
)
from crm_api.grid.models import GridColumn
from crm_api.kit import aggregate
from crm_api.kit.errors import DuplicateRecord, InvalidValue, StillReferenced


def live_funds(session: Session) -> list[Fund]:
    """The grid's fund columns, in the funds' order."""
    return repository.live_funds(session)


def custom_columns(session: Session) -> list[GridColumn]:
    """The live custom columns, in their order."""
    return repository.columns(session)


def has_column(session: Session, key: str) -> bool:
    """Whether a column, live or deleted, has the key (keys are never reused)."""
    return repository.column_with_key(session, key) is not None


def column_read(column: GridColumn) -> GridColumnRead:
    return GridColumnRead(
        id=column.id,
        version=column.version,
        created_at=column.created_at,
        updated_at=column.updated_at,
        created_by=column.created_by,
        updated_by=column.updated_by,
        deleted_at=column.deleted_at,
        key=column.key,
        label=column.label,
        type=column.type,
        options=list(column.options or []),
        position=column.position,
        width=column.width,
    )


def column_state(column: GridColumn) -> dict[str, Any]:
    return column_read(column).model_dump(mode="json")


COLUMN_KIND = aggregate.Kind(
    name="grid_column", path="/api/grid/columns", state=column_state, title=lambda c: c.label
)


def _check_options(kind: FieldType, options: list[str]) -> list[str]:
    if kind in CHOICE_TYPES and not options:
        raise InvalidValue(f"a {kind.value} column needs options", field="options")
    if kind not in CHOICE_TYPES and options:
        raise InvalidValue(f"a {kind.value} column takes no options", field="options")
    if len(set(options)) != len(options):
        raise InvalidValue("an option is listed twice", field="options")
    return options


def get_column(session: Session, *, column_id: str, include_deleted: bool = False) -> GridColumn:
    return aggregate.require_live(
        repository.get_column(session, column_id), include_deleted=include_deleted
    )


def read_column(session: Session, *, record_id: str) -> GridColumnRead:
    return column_read(get_column(session, column_id=record_id))


def list_columns(session: Session, *, include_deleted: bool = False) -> GridColumnList:
    return GridColumnList(
        items=[column_read(c) for c in repository.columns(session, include_deleted=include_deleted)]
    )


def create_column(session: Session, *, data: GridColumnCreate, by: Principal) -> dict[str, Any]:
    existing = repository.column_with_key(session, data.key)
    if existing is not None:
        raise DuplicateRecord(
            f"a column (live or deleted) already has the key {data.key!r}",
            field="key",
            column_id=existing.id,
        )
    position = data.position
    if position is None:
        last = repository.last_column_position(session)
        position = 0 if last is None else last + 1
    column = GridColumn(
        key=data.key,
        label=data.label,
        type=data.type.value,
        options=_check_options(data.type, data.options),
        position=position,
        width=data.width,
    )
    aggregate.stamp_new(column, by)
    session.add(column)
    return aggregate.created(
        session, kind=COLUMN_KIND, obj=column, actor=by, payload=data.model_dump(mode="json")
    )


def update_column(
    session: Session,
    *,
    record_id: str,
    data: GridColumnUpdate,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    column = get_column(session, column_id=record_id)
    aggregate.expect_version(COLUMN_KIND, column, expected_version)
    before = column_state(column)
    fields = data.model_dump(exclude_unset=True)
    for name in ("label", "options", "position"):
        if name in fields and fields[name] is None:
            raise InvalidValue(f"{name} must not be null", field=name)
    if data.label is not None:
        column.label = data.label
    if data.options is not None:
        column.options = _check_options(FieldType(column.type), data.options)
    if data.position is not None:
        column.position = data.position
    if "width" in fields:
        column.width = data.width
    return aggregate.updated(
        session,
        kind=COLUMN_KIND,
        obj=column,
        before=before,
        actor=by,
        payload=data.model_dump(mode="json", exclude_unset=True),
    )


def delete_column(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    column = get_column(session, column_id=record_id, include_deleted=True)
    return aggregate.soft_deleted(session, kind=COLUMN_KIND, obj=column, actor=by)


def restore_column(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    column = get_column(session, column_id=record_id, include_deleted=True)
    return aggregate.restored(session, kind=COLUMN_KIND, obj=column, actor=by)


def purge_column(session: Session, *, record_id: str, by: Principal) -> None:
    column = get_column(session, column_id=record_id, include_deleted=True)
    holders = repository.rows_with_value(session, column.key)
    if holders:
        raise StillReferenced(
            f"{holders} rows hold a value in this column; clear them first", rows=holders
        )
    aggregate.purged(session, kind=COLUMN_KIND, obj=column, actor=by)


def _column_definition(column: GridColumn) -> CustomField:
    # custom_fields checks a value against a definition; a transient one carries the column's.
    return CustomField(key=column.key, type=column.type, options=list(column.options or []))


def check_values(
    session: Session, given: dict[str, Any], current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The row's values with `given` merged in (null removes), each checked against its column.

    Raises:
        InvalidValue: naming `values.<key>`: no live column with that key, or a value that does
            not fit its type.
    """
    values = dict(current or {})
    if not given:
        return values
    live = {c.key: c for c in repository.columns(session)}
    for key, value in given.items():
        if value is None:
            values.pop(key, None)
            continue
        column = live.get(key)
        if column is None:
            raise InvalidValue(
                f"values.{key}: the grid has no column {key!r}", field=f"values.{key}"
            )
        try:
            values[key] = custom_fields.check_value(_column_definition(column), value)
        except InvalidValue as exc:
            raise InvalidValue(
                (exc.detail or "invalid").replace(f"custom_fields.{key}", f"values.{key}"),
                field=f"values.{key}",
            ) from exc
    return values
