"""The grid's named lists of rows (all, follow_up, graveyard, ...; the tables are the grid's,
crm_api.grid.models) and their memberships: managed by admins, kept by the rules.

A list's key never changes and is unique among all lists, deleted or not; a row leaving a list
soft-deletes its membership, and coming back restores the same one. The built-in lists may be
edited, deleted and restored like any other.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.automations import repository
from crm_api.automations.schemas import (
    GridListCreate,
    GridListIndex,
    GridListMemberRead,
    GridListRead,
    GridListUpdate,
    MemberFilter,
    MemberPage,
)
from crm_api.grid.models import GridList, GridListMember
from crm_api.kit import aggregate
from crm_api.kit.errors import DuplicateRecord, InvalidValue, RecordNotFound


def list_read(row: GridList, members: int = 0) -> GridListRead:
    return GridListRead(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        updated_by=row.updated_by,
        deleted_at=row.deleted_at,
        key=row.key,
        name=row.name,
        description=row.description,
        is_builtin=row.is_builtin,
        members=members,
    )


def list_state(row: GridList) -> dict[str, Any]:
    return list_read(row).model_dump(mode="json", exclude={"members"})


LIST_KIND = aggregate.Kind(name="grid_list", path="/api/grid/lists", state=list_state)


def member_read(row: GridListMember) -> GridListMemberRead:
    return GridListMemberRead(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        updated_by=row.updated_by,
        deleted_at=row.deleted_at,
        list_id=row.list_id,
        list_key=row.list_key,
        row_id=row.row_id,
        rule_id=row.rule_id,
    )


def member_state(row: GridListMember) -> dict[str, Any]:
    return member_read(row).model_dump(mode="json")


MEMBER_KIND = aggregate.Kind(
    name="grid_list_member",
    path="/api/grid/lists/{key}/members",
    state=member_state,
    title=lambda m: f"row {m.row_id} on list {m.list_key}",
)


def get_list(session: Session, *, list_id: str, include_deleted: bool = False) -> GridList:
    return aggregate.require_live(
        repository.get_list(session, list_id), include_deleted=include_deleted
    )


def live_list(session: Session, key: str) -> GridList:
    """Raises RecordNotFound: no live list with that key."""
    return aggregate.require_live(repository.list_by_key(session, key))


def index_lists(session: Session, *, deleted: str = "exclude") -> GridListIndex:
    counts = repository.member_counts(session)
    return GridListIndex(
        items=[
            list_read(r, counts.get(r.id, 0)) for r in repository.lists(session, deleted=deleted)
        ]
    )


def read_list(session: Session, *, record_id: str) -> GridListRead:
    row = get_list(session, list_id=record_id)
    return list_read(row, repository.member_counts(session).get(row.id, 0))


def create_list(session: Session, *, data: GridListCreate, by: Principal) -> dict[str, Any]:
    existing = repository.list_by_key(session, data.key)
    if existing is not None:
        raise DuplicateRecord(
            f"a list (live or deleted) already has the key {data.key!r}",
            field="key",
            list_id=existing.id,
        )
    row = GridList(key=data.key, name=data.name.strip(), description=data.description)
    aggregate.stamp_new(row, by)
    session.add(row)
    return aggregate.created(
        session, kind=LIST_KIND, obj=row, actor=by, payload=data.model_dump(mode="json")
    )


def update_list(
    session: Session,
    *,
    record_id: str,
    data: GridListUpdate,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    row = get_list(session, list_id=record_id)
    aggregate.expect_version(LIST_KIND, row, expected_version)
    before = list_state(row)
    fields = data.model_dump(exclude_unset=True)
    if "name" in fields:
        if data.name is None or not data.name.strip():
            raise InvalidValue("name must not be blank", field="name")
        row.name = data.name.strip()
    if "description" in fields:
        row.description = data.description or ""
    return aggregate.updated(
        session,
        kind=LIST_KIND,
        obj=row,
        before=before,
        actor=by,
        payload=data.model_dump(mode="json", exclude_unset=True),
    )


def delete_list(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    row = get_list(session, list_id=record_id, include_deleted=True)
    return aggregate.soft_deleted(session, kind=LIST_KIND, obj=row, actor=by)


def restore_list(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    row = get_list(session, list_id=record_id, include_deleted=True)
    return aggregate.restored(session, kind=LIST_KIND, obj=row, actor=by)


def purge_list(session: Session, *, record_id: str, by: Principal) -> None:
    row = get_list(session, list_id=record_id, include_deleted=True)
    aggregate.purged(session, kind=LIST_KIND, obj=row, actor=by)


def list_members(session: Session, *, key: str, filters: MemberFilter) -> MemberPage:
    found = repository.list_by_key(session, key)
    if found is None or found.deleted_at is not None:
        raise RecordNotFound(f"no list {key!r}")
    rows, total = repository.members(
        session,
        list_id=found.id,
        deleted=filters.deleted,
        after=filters.cursor,
        limit=filters.limit,
    )
    cursor = rows[filters.limit - 1].id if len(rows) > filters.limit else None
    return MemberPage(
        items=[member_read(r) for r in rows[: filters.limit]],
        next_cursor=cursor,
        total=total,
    )


def add_member(
    session: Session, list_row: GridList, row_id: str, rule_id: str | None, by: Principal
) -> None:
    existing = repository.membership(session, list_id=list_row.id, row_id=row_id)
    if existing is None:
        member = GridListMember(
            list_id=list_row.id, list_key=list_row.key, row_id=row_id, rule_id=rule_id
        )
        aggregate.stamp_new(member, by)
        session.add(member)
        aggregate.created(
            session, kind=MEMBER_KIND, obj=member, actor=by, targets=[("grid_row", row_id)]
        )
    elif existing.deleted_at is not None:
        existing.rule_id = rule_id
        aggregate.restored(session, kind=MEMBER_KIND, obj=existing, actor=by)


def remove_member(session: Session, list_row: GridList, row_id: str, by: Principal) -> None:
    existing = repository.membership(session, list_id=list_row.id, row_id=row_id)
    if existing is not None and existing.deleted_at is None:
        aggregate.soft_deleted(session, kind=MEMBER_KIND, obj=existing, actor=by)
