"""Keyset (cursor) pagination over a sort column and the id, and the If-Match header.

A cursor is the (sort value, id) of the last row of a page, base64url-encoded JSON: stable under
inserts and deletes, and as fast on page 1,000 as on page 1.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Header
from pydantic import BaseModel
from sqlalchemy import Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from crm_api.kit.errors import InvalidValue

T = TypeVar("T")

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=40,
        description='The version you read, as its ETag ("3"); a stale one gets 409.',
    ),
]


def parse_if_match(value: str | None) -> int | None:
    """The version an If-Match header names (`"3"`, `W/"3"` or `3`).

    Raises:
        InvalidValue: the header is not a version.
    """
    if value is None:
        return None
    cleaned = value.strip().removeprefix("W/").strip('"')
    if not cleaned.isdigit():
        raise InvalidValue('If-Match must be the ETag of the version you read, e.g. "3"')
    return int(cleaned)


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None
    total: int


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"day": value.isoformat()}
    if isinstance(value, Decimal):
        return {"d": str(value)}
    return value


def _typed(value: Any) -> Any:
    if isinstance(value, dict) and "t" in value:
        return datetime.fromisoformat(value["t"])
    if isinstance(value, dict) and "d" in value:
        return Decimal(value["d"])
    if isinstance(value, dict) and "day" in value:
        return date.fromisoformat(value["day"])
    return value


def encode_cursor(sort_value: Any, row_id: str) -> str:
    raw = json.dumps([_plain(sort_value), row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, str]:
    """Raises InvalidValue for a cursor this API did not hand out."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        sort_value, row_id = json.loads(raw)
        if not isinstance(row_id, str):
            raise ValueError("bad id")
        return _typed(sort_value), row_id
    except (ValueError, binascii.Error, TypeError) as exc:
        raise InvalidValue("cursor is not one this API handed out") from exc


def keyset(
    query: Select[Any],
    *,
    sort: InstrumentedAttribute[Any],
    id_column: InstrumentedAttribute[Any],
    descending: bool,
    cursor: str | None,
    limit: int,
) -> Select[Any]:
    """`query` ordered by (sort, id), after the cursor, one row more than `limit`."""
    if cursor is not None:
        value, row_id = decode_cursor(cursor)
        key = tuple_(sort, id_column)
        query = query.where(key < (value, row_id) if descending else key > (value, row_id))
    if descending:
        query = query.order_by(sort.desc(), id_column.desc())
    else:
        query = query.order_by(sort.asc(), id_column.asc())
    return query.limit(limit + 1)


def next_cursor(rows: list[Any], *, sort_attr: str, limit: int) -> tuple[list[Any], str | None]:
    """The page's rows and the cursor of the next page (None on the last)."""
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    last = page[-1]
    return page, encode_cursor(getattr(last, sort_attr), last.id)
