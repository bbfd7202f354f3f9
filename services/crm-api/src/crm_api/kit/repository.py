"""Query pieces every aggregate's repository uses, and the kit's own SQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from crm_api.kit.errors import DuplicateRecord, InvalidValue
from crm_api.kit.models import IdempotencyRecord
from crm_api.kit.pagination import keyset, next_cursor
from crm_api.kit.schemas import Deleted, ListParams

Sorts = dict[str, tuple[InstrumentedAttribute[Any], bool]]


def filter_common(query: Select[Any], model: Any, params: ListParams) -> Select[Any]:
    if params.id is not None:
        query = query.where(model.id.in_(params.id))
    if params.deleted is Deleted.EXCLUDE:
        query = query.where(model.deleted_at.is_(None))
    elif params.deleted is Deleted.ONLY:
        query = query.where(model.deleted_at.is_not(None))
    if params.created_after is not None:
        query = query.where(model.created_at >= params.created_after)
    if params.created_before is not None:
        query = query.where(model.created_at < params.created_before)
    if params.updated_after is not None:
        query = query.where(model.updated_at >= params.updated_after)
    return query


def like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, case-insensitively (with `lower()`)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def page(
    session: Session,
    query: Select[Any],
    *,
    model: Any,
    sorts: Sorts,
    sort: str,
    params: ListParams,
) -> tuple[list[Any], str | None, int]:
    """One page of `query` (already filtered): rows, next cursor, total matching.

    Raises:
        InvalidValue: an unknown sort.
    """
    rows, cursor = page_rows(session, query, model=model, sorts=sorts, sort=sort, params=params)
    total = int(
        session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    )
    return rows, cursor, total


def page_rows(
    session: Session,
    query: Select[Any],
    *,
    model: Any,
    sorts: Sorts,
    sort: str,
    params: ListParams,
) -> tuple[list[Any], str | None]:
    """One page of `query` without the total, which costs most of a list on a large table.

    Raises:
        InvalidValue: an unknown sort.
    """
    if sort not in sorts:
        raise InvalidValue(f"sort must be one of {', '.join(sorts)}", field="sort")
    column, descending = sorts[sort]
    rows = list(
        session.scalars(
            keyset(
                query,
                sort=column,
                id_column=model.id,
                descending=descending,
                cursor=params.cursor,
                limit=params.limit,
            )
        )
    )
    return next_cursor(rows, sort_attr=column.key, limit=params.limit)


def get(session: Session, model: type[Any], record_id: str) -> Any:
    """The record `record_id` of `model`, deleted or not; None when there is none."""
    return session.get(model, record_id)


def idempotency_record(
    session: Session, *, principal_id: str, key: str
) -> IdempotencyRecord | None:
    return session.scalars(
        select(IdempotencyRecord).where(
            IdempotencyRecord.principal_id == principal_id, IdempotencyRecord.key == key
        )
    ).first()


@contextmanager
def unique_or_duplicate(message: str, *, field: str) -> Iterator[None]:
    """Turns a unique index's refusal (a concurrent write got there first, after the caller's own
    check) into a 409 that names `field`; any other integrity error goes through."""
    try:
        yield
    except IntegrityError as exc:
        if "unique" not in str(exc.orig).lower():
            raise
        raise DuplicateRecord(message, field=field) from exc
