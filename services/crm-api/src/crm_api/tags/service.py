"""Tag rules: a name unique among live tags (in any case), a `#rrggbb` colour, soft delete, and
no purge while a record links the tag. Also what the tagged aggregates use: registering their
link table (`register_link`), checking the tag ids of a write (`resolve`, `replace`) and
rendering a record's tags (`refs`).

Tags import no tagged domain: each one (organizations, contacts, opportunities) defines its link
table with `tags.models.link_table` and registers it here when its service is imported, so a
purge counts the links of every tagged record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.kit import aggregate
from crm_api.kit.errors import DuplicateRecord, InvalidValue, StillReferenced
from crm_api.kit.repository import unique_or_duplicate
from crm_api.tags import repository
from crm_api.tags.models import Tag
from crm_api.tags.schemas import TagCreate, TagFilter, TagPage, TagRead, TagRef, TagUpdate

FIELD = "tag_ids"

_LINKS: dict[str, Table] = {}


# The live-unique index refused: a concurrent write got there first.
NAME_TAKEN = "a live tag already has this name"


def register_link(link: Table) -> None:
    """Count `link` (a `link_table`) among the links that keep a tag from being purged."""
    _LINKS[link.name] = link


def to_read(tag: Tag) -> TagRead:
    return TagRead(
        id=tag.id,
        version=tag.version,
        created_at=tag.created_at,
        updated_at=tag.updated_at,
        created_by=tag.created_by,
        updated_by=tag.updated_by,
        deleted_at=tag.deleted_at,
        name=tag.name,
        color=tag.color,
        description=tag.description,
    )


def state(tag: Tag) -> dict[str, Any]:
    return to_read(tag).model_dump(mode="json")


KIND = aggregate.Kind(name="tag", path="/api/tags", state=state)


def name_key(name: str) -> str:
    return name.casefold()


def _require_free_name(session: Session, name: str, tag: Tag | None = None) -> None:
    owner = repository.live_with_name(session, name_key(name))
    if owner is not None and (tag is None or owner != tag.id):
        raise DuplicateRecord(f"a live tag is already called {name!r}", field="name", tag_id=owner)


def get(session: Session, *, tag_id: str, include_deleted: bool = False) -> Tag:
    return aggregate.require_live(repository.get(session, tag_id), include_deleted=include_deleted)


def read(session: Session, *, record_id: str) -> TagRead:
    return to_read(get(session, tag_id=record_id))


def search(session: Session, *, filters: TagFilter) -> TagPage:
    rows, cursor, total = repository.search(session, filters=filters)
    return TagPage(items=[to_read(r) for r in rows], next_cursor=cursor, total=total)


def create(session: Session, *, data: TagCreate, by: Principal) -> dict[str, Any]:
    _require_free_name(session, data.name)
    tag = Tag(
        name=data.name,
        name_key=name_key(data.name),
        color=data.color,
        description=data.description,
    )
    aggregate.stamp_new(tag, by)
    session.add(tag)
    with unique_or_duplicate(NAME_TAKEN, field="name"):
        session.flush()
    return aggregate.created(
        session, kind=KIND, obj=tag, actor=by, payload=data.model_dump(mode="json")
    )


def update(
    session: Session,
    *,
    record_id: str,
    data: TagUpdate,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    tag = get(session, tag_id=record_id)
    aggregate.expect_version(KIND, tag, expected_version)
    before = state(tag)
    fields = data.model_dump(exclude_unset=True)
    for required in ("name", "color"):
        if required in fields and fields[required] is None:
            raise InvalidValue(f"{required} must not be null", field=required)
    if data.name is not None:
        _require_free_name(session, data.name, tag)
        tag.name = data.name
        tag.name_key = name_key(data.name)
    if data.color is not None:
        tag.color = data.color
    if "description" in fields:
        tag.description = data.description or ""
    with unique_or_duplicate(NAME_TAKEN, field="name"):
        return aggregate.updated(
            session,
            kind=KIND,
            obj=tag,
            before=before,
            actor=by,
            payload=data.model_dump(mode="json", exclude_unset=True),
        )


def delete(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    """Soft delete: the tag leaves the palette and the records that have it (their links stay,
    hidden, and come back with a restore)."""
    tag = get(session, tag_id=record_id, include_deleted=True)
    return aggregate.soft_deleted(session, kind=KIND, obj=tag, actor=by)


def restore(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    tag = get(session, tag_id=record_id, include_deleted=True)
    if tag.deleted_at is not None:
        owner = repository.live_with_name(session, tag.name_key)
        if owner is not None:
            raise DuplicateRecord(
                f"another live tag is now called {tag.name!r}; rename one first",
                field="name",
                tag_id=owner,
            )
    with unique_or_duplicate(NAME_TAKEN, field="name"):
        return aggregate.restored(session, kind=KIND, obj=tag, actor=by)


def link_count(session: Session, tag_id: str) -> int:
    """How many records (live or deleted) link the tag."""
    return repository.link_count(session, tag_id, _LINKS.values())


def purge(session: Session, *, record_id: str, by: Principal) -> None:
    tag = get(session, tag_id=record_id, include_deleted=True)
    if tag.deleted_at is None:
        raise InvalidValue("only a deleted tag can be purged; delete it first")
    count = link_count(session, tag.id)
    if count:
        raise StillReferenced(
            f"{count} records (live or deleted) still have this tag; restore it, take it off "
            "them (list them with tag_id), then delete and purge it",
            records=count,
        )
    aggregate.purged(session, kind=KIND, obj=tag, actor=by)


# What the tagged aggregates (organizations, contacts, opportunities) use.


def resolve(session: Session, tag_ids: Iterable[str]) -> list[Tag]:
    """The live tags `tag_ids` names, each once, in the order given.

    Raises:
        InvalidValue: naming `tag_ids`, for an id with no live tag.
    """
    wanted = list(dict.fromkeys(tag_ids))
    if not wanted:
        return []
    found = repository.get_many(session, wanted)
    for tag_id in wanted:
        tag = found.get(tag_id)
        if tag is None or tag.deleted_at is not None:
            raise InvalidValue(f"{FIELD}: no live tag {tag_id!r}", field=FIELD)
    return [found[tag_id] for tag_id in wanted]


def replace(session: Session, current: Iterable[Tag], tag_ids: Iterable[str]) -> list[Tag]:
    """A record's new tags: the live ones `tag_ids` names, plus the deleted ones it already had
    (hidden while deleted, back on the record when the tag is restored)."""
    chosen = resolve(session, tag_ids)
    return chosen + [t for t in current if t.deleted_at is not None and t not in chosen]


def refs(tags: Iterable[Tag]) -> list[TagRef]:
    """A record's live tags as it shows them, sorted by name."""
    live = sorted(
        (t for t in tags if t.deleted_at is None), key=lambda t: (t.name_key, t.name, t.id)
    )
    return [TagRef(id=t.id, name=t.name, color=t.color) for t in live]
