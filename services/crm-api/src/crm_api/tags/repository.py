"""The tags' SQL: the palette's queries, and counting a tag's links in the tagged domains' link
tables."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from crm_api.kit.repository import Sorts, filter_common, like, page
from crm_api.tags.models import Tag
from crm_api.tags.schemas import TagFilter

SORTS: Sorts = {
    "name": (Tag.name, False),
    "-name": (Tag.name, True),
    "created_at": (Tag.created_at, False),
    "-created_at": (Tag.created_at, True),
    "updated_at": (Tag.updated_at, False),
    "-updated_at": (Tag.updated_at, True),
}


def get(session: Session, tag_id: str) -> Tag | None:
    return session.get(Tag, tag_id)


def get_many(session: Session, ids: Iterable[str]) -> dict[str, Tag]:
    return {t.id: t for t in session.scalars(select(Tag).where(Tag.id.in_(list(ids))))}


def live_with_name(session: Session, name_key: str) -> str | None:
    """The id of the live tag whose name casefolds to `name_key`."""
    return session.scalar(select(Tag.id).where(Tag.name_key == name_key, Tag.deleted_at.is_(None)))


def search(session: Session, *, filters: TagFilter) -> tuple[list[Tag], str | None, int]:
    query: Any = filter_common(select(Tag), Tag, filters)
    if filters.q:
        query = query.where(func.lower(Tag.name).like(like(filters.q), escape="\\"))
    return page(session, query, model=Tag, sorts=SORTS, sort=filters.sort, params=filters)


def link_count(session: Session, tag_id: str, links: Iterable[Table]) -> int:
    """How many rows of the link tables `links` hold the tag."""
    return sum(
        int(
            session.scalar(select(func.count()).select_from(link).where(link.c.tag_id == tag_id))
            or 0
        )
        for link in links
    )
