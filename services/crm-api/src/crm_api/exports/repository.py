"""The exports' SQL: keyset batches of a list's query (each domain's own, built by its service),
over the list's sort."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, tuple_
from sqlalchemy.orm import Session

Key = tuple[Any, str]


def batch(
    session: Session,
    query: Select[Any],
    *,
    model: Any,
    column: Any,
    descending: bool,
    after: Key | None,
    size: int,
) -> tuple[list[Any], Key | None]:
    """The next `size` rows of `query` (rows of `model`) in the order of `column`, then id, after
    the (sort value, id) `after`; and the key to continue from (None after the last batch)."""
    if after is not None:
        key = tuple_(column, model.id)
        query = query.where(key < after if descending else key > after)
    if descending:
        query = query.order_by(column.desc(), model.id.desc())
    else:
        query = query.order_by(column.asc(), model.id.asc())
    rows = list(session.scalars(query.limit(size)))
    if len(rows) < size:
        return rows, None
    last = rows[-1]
    return rows, (getattr(last, column.key), last.id)
