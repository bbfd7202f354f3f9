"""The automation rules, as data: reading and writing them (admins).

A rule: if its condition (crm_api.grid.conditions) holds for a row, its `actions` apply, else its
`otherwise`. Actions: add_to_list, remove_from_list, set_flag, set_field (lead_source or a custom
column's value), create_follow_up (on the investor). crm_api.automations.engine runs them.

When written, an action names a live list (422 naming `actions`), a live custom column for
set_field, an active user as a follow-up's owner. The built-in rules may be edited, paused,
deleted and restored like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth import service as users
from crm_api.auth.errors import UnknownUser
from crm_api.auth.principal import Principal
from crm_api.automations import repository
from crm_api.automations.models import GridRule
from crm_api.automations.schemas import (
    Action,
    AddToList,
    CreateFollowUp,
    GridRuleCreate,
    GridRuleList,
    GridRuleRead,
    GridRuleUpdate,
    RemoveFromList,
    SetField,
)
from crm_api.grid import conditions
from crm_api.grid.columns import service as grid_columns
from crm_api.kit import aggregate
from crm_api.kit.errors import InvalidValue


def rule_read(row: GridRule, last_scheduled_at: datetime | None = None) -> GridRuleRead:
    return GridRuleRead(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        updated_by=row.updated_by,
        deleted_at=row.deleted_at,
        name=row.name,
        description=row.description,
        is_active=row.is_active,
        is_builtin=row.is_builtin,
        on_change=row.on_change,
        schedule_seconds=row.schedule_seconds,
        position=row.position,
        condition=row.condition,
        actions=list(row.actions or []),
        otherwise=list(row.otherwise or []),
        last_scheduled_at=last_scheduled_at,
    )


def rule_state(row: GridRule) -> dict[str, Any]:
    return rule_read(row).model_dump(mode="json", exclude={"last_scheduled_at"})


RULE_KIND = aggregate.Kind(name="grid_rule", path="/api/grid/rules", state=rule_state)


def get_rule(session: Session, *, rule_id: str, include_deleted: bool = False) -> GridRule:
    return aggregate.require_live(
        repository.get_rule(session, rule_id), include_deleted=include_deleted
    )


def read_rule(session: Session, *, record_id: str) -> GridRuleRead:
    return rule_read(
        get_rule(session, rule_id=record_id), repository.schedules(session).get(record_id)
    )


def list_rules(session: Session, *, deleted: str = "exclude") -> GridRuleList:
    last = repository.schedules(session)
    return GridRuleList(
        items=[rule_read(r, last.get(r.id)) for r in repository.rules(session, deleted=deleted)]
    )


def check_actions(session: Session, actions: Iterable[Action]) -> None:
    columns = {c.key for c in grid_columns.custom_columns(session)}
    for action in actions:
        if isinstance(action, AddToList | RemoveFromList):
            found = repository.list_by_key(session, action.list)
            if found is None or found.deleted_at is not None:
                raise InvalidValue(f"actions: no live list {action.list!r}", field="actions")
        elif isinstance(action, SetField) and action.field.startswith("values."):
            key = action.field.removeprefix("values.")
            if key not in columns:
                raise InvalidValue(f"actions: the grid has no column {key!r}", field="actions")
            if action.value is not None:
                grid_columns.check_values(session, {key: action.value})
        elif isinstance(action, CreateFollowUp) and action.owner_id is not None:
            try:
                owner = users.get_user(session, user_id=action.owner_id)
            except UnknownUser:
                raise InvalidValue("actions: no such follow-up owner", field="actions") from None
            if not owner.is_active:
                raise InvalidValue("actions: that owner is deactivated", field="actions")


def _dump_actions(actions: list[Action]) -> list[dict[str, Any]]:
    return [a.model_dump(mode="json") for a in actions]


def create_rule(session: Session, *, data: GridRuleCreate, by: Principal) -> dict[str, Any]:
    check_actions(session, [*data.actions, *data.otherwise])
    position = data.position
    if position is None:
        last = repository.last_rule_position(session)
        position = 0 if last is None else last + 1
    row = GridRule(
        name=data.name,
        description=data.description,
        is_active=data.is_active,
        is_builtin=False,
        on_change=data.on_change,
        schedule_seconds=data.schedule_seconds,
        position=position,
        condition=conditions.dump(data.condition),
        actions=_dump_actions(data.actions),
        otherwise=_dump_actions(data.otherwise),
    )
    aggregate.stamp_new(row, by)
    session.add(row)
    return aggregate.created(
        session, kind=RULE_KIND, obj=row, actor=by, payload=data.model_dump(mode="json")
    )


def update_rule(
    session: Session,
    *,
    record_id: str,
    data: GridRuleUpdate,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    row = get_rule(session, rule_id=record_id)
    aggregate.expect_version(RULE_KIND, row, expected_version)
    before = rule_state(row)
    fields = data.model_dump(exclude_unset=True)
    for name in ("name", "is_active", "on_change", "position", "condition", "actions", "otherwise"):
        if name in fields and fields[name] is None:
            raise InvalidValue(f"{name} must not be null", field=name)
    check_actions(session, [*(data.actions or []), *(data.otherwise or [])])
    if data.name is not None:
        if not data.name.strip():
            raise InvalidValue("name must not be blank", field="name")
        row.name = data.name.strip()
    if "description" in fields:
        row.description = data.description or ""
    for name in ("is_active", "on_change", "position"):
        if name in fields:
            setattr(row, name, fields[name])
    if "schedule_seconds" in fields:
        row.schedule_seconds = data.schedule_seconds
    if data.condition is not None:
        row.condition = conditions.dump(data.condition)
    if data.actions is not None:
        row.actions = _dump_actions(data.actions)
    if data.otherwise is not None:
        row.otherwise = _dump_actions(data.otherwise)
    return aggregate.updated(
        session,
        kind=RULE_KIND,
        obj=row,
        before=before,
        actor=by,
        payload=data.model_dump(mode="json", exclude_unset=True),
    )


def delete_rule(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    row = get_rule(session, rule_id=record_id, include_deleted=True)
    return aggregate.soft_deleted(session, kind=RULE_KIND, obj=row, actor=by)


def restore_rule(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    row = get_rule(session, rule_id=record_id, include_deleted=True)
    return aggregate.restored(session, kind=RULE_KIND, obj=row, actor=by)


def purge_rule(session: Session, *, record_id: str, by: Principal) -> None:
    row = get_rule(session, rule_id=record_id, include_deleted=True)
    aggregate.purged(session, kind=RULE_KIND, obj=row, actor=by)
