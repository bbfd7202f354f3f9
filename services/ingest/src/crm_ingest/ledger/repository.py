"""All SQL on the ledger's tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from crm_common.models import aggregate_version, processed_event
from crm_ingest.ledger.models import DELETING, FAILED, INDEXED, PENDING, chunk, record, ref

Key = tuple[str, str]
# Keys per IN clause: SQLite allows 32,766 parameters, PostgreSQL 65,535.
_IN_BATCH = 500


def _now() -> datetime:
    return datetime.now(UTC)


def _batches(keys: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(keys), _IN_BATCH):
        yield keys[start : start + _IN_BATCH]


# -- records ---------------------------------------------------------------------------------------


def get_record(session: Session, key: Key) -> Row[Any] | None:
    return session.execute(
        select(record).where(record.c.source_kind == key[0], record.c.source_id == key[1])
    ).first()


def records(session: Session, keys: Sequence[Key]) -> dict[Key, Row[Any]]:
    found: dict[Key, Row[Any]] = {}
    for batch in _batches(list(keys)):
        rows = session.execute(
            select(record).where(tuple_(record.c.source_kind, record.c.source_id).in_(batch))
        )
        found.update({(r.source_kind, r.source_id): r for r in rows})
    return found


def save_record(session: Session, key: Key, values: dict[str, Any], *, exists: bool) -> None:
    """Insert or update a record, marking its payload for re-stamping."""
    values = values | {"updated_at": _now(), "is_dirty": True}
    if exists:
        session.execute(
            update(record)
            .where(record.c.source_kind == key[0], record.c.source_id == key[1])
            .values(**values, payload_seq=record.c.payload_seq + 1)
        )
    else:
        session.execute(
            insert(record).values(source_kind=key[0], source_id=key[1], payload_seq=1, **values)
        )


def delete_record(session: Session, key: Key) -> None:
    session.execute(
        delete(record).where(record.c.source_kind == key[0], record.c.source_id == key[1])
    )
    session.execute(delete(ref).where(ref.c.source_kind == key[0], ref.c.source_id == key[1]))


def live_keys(session: Session, keys: Sequence[Key]) -> set[Key]:
    found: set[Key] = set()
    for batch in _batches(list(keys)):
        rows = session.execute(
            select(record.c.source_kind, record.c.source_id).where(
                tuple_(record.c.source_kind, record.c.source_id).in_(batch), record.c.is_live
            )
        )
        found.update((r.source_kind, r.source_id) for r in rows)
    return found


def mark_dirty(session: Session, keys: Sequence[Key]) -> None:
    for batch in _batches(list(keys)):
        session.execute(
            update(record)
            .where(tuple_(record.c.source_kind, record.c.source_id).in_(batch))
            .values(is_dirty=True, payload_seq=record.c.payload_seq + 1)
        )


def dirty_records(session: Session, limit: int) -> list[tuple[Key, int]]:
    rows = session.execute(
        select(record.c.source_kind, record.c.source_id, record.c.payload_seq)
        .where(record.c.is_dirty)
        .limit(limit)
    )
    return [((r.source_kind, r.source_id), int(r.payload_seq)) for r in rows]


def mark_stamped(session: Session, stamped: Sequence[tuple[Key, int]]) -> None:
    """Clear the flag of each record still at the payload it was stamped with."""
    for key, seq in stamped:
        session.execute(
            update(record)
            .where(
                record.c.source_kind == key[0],
                record.c.source_id == key[1],
                record.c.payload_seq == seq,
            )
            .values(is_dirty=False)
        )


# -- references ------------------------------------------------------------------------------------


def refs_of(session: Session, keys: Sequence[Key]) -> dict[Key, list[Key]]:
    found: dict[Key, list[Key]] = {key: [] for key in keys}
    for batch in _batches(list(keys)):
        rows = session.execute(
            select(ref)
            .where(tuple_(ref.c.source_kind, ref.c.source_id).in_(batch))
            .order_by(ref.c.source_kind, ref.c.source_id, ref.c.ref_kind, ref.c.ref_id)
        )
        for r in rows:
            found[(r.source_kind, r.source_id)].append((r.ref_kind, r.ref_id))
    return found


def set_refs(session: Session, key: Key, targets: Sequence[Key]) -> None:
    session.execute(delete(ref).where(ref.c.source_kind == key[0], ref.c.source_id == key[1]))
    if targets:
        session.execute(
            insert(ref),
            [
                {"source_kind": key[0], "source_id": key[1], "ref_kind": k, "ref_id": i}
                for k, i in targets
            ],
        )


def referencing(session: Session, targets: Sequence[Key]) -> list[Key]:
    """The records that refer to any of `targets`."""
    found: set[Key] = set()
    for batch in _batches(list(targets)):
        rows = session.execute(
            select(ref.c.source_kind, ref.c.source_id)
            .where(tuple_(ref.c.ref_kind, ref.c.ref_id).in_(batch))
            .distinct()
        )
        found.update((r.source_kind, r.source_id) for r in rows)
    return sorted(found)


# -- chunks ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingChunk:
    point_id: str
    key: Key
    chunk_no: int
    content_hash: str
    text: str
    redactions: list[dict[str, Any]]


def chunks_of(session: Session, key: Key) -> dict[int, Row[Any]]:
    rows = session.execute(
        select(chunk).where(chunk.c.source_kind == key[0], chunk.c.source_id == key[1])
    )
    return {int(r.chunk_no): r for r in rows}


def add_chunk(
    session: Session,
    *,
    point_id: str,
    key: Key,
    chunk_no: int,
    content_hash: str,
    text: str,
    redactions: list[dict[str, Any]],
) -> None:
    session.execute(
        insert(chunk).values(
            point_id=point_id,
            source_kind=key[0],
            source_id=key[1],
            chunk_no=chunk_no,
            content_hash=content_hash,
            state=PENDING,
            text=text,
            redactions=redactions,
            attempts=0,
            updated_at=_now(),
        )
    )


def rewrite_chunk(
    session: Session,
    point_id: str,
    *,
    content_hash: str,
    text: str,
    redactions: list[dict[str, Any]],
) -> None:
    session.execute(
        update(chunk)
        .where(chunk.c.point_id == point_id)
        .values(
            content_hash=content_hash,
            state=PENDING,
            text=text,
            redactions=redactions,
            attempts=0,
            last_error=None,
            updated_at=_now(),
        )
    )


def mark_deleting(session: Session, point_ids: Sequence[str]) -> None:
    for batch in _batches(list(point_ids)):
        session.execute(
            update(chunk)
            .where(chunk.c.point_id.in_(batch))
            .values(state=DELETING, text=None, updated_at=_now())
        )


def mark_record_deleting(session: Session, key: Key) -> None:
    session.execute(
        update(chunk)
        .where(chunk.c.source_kind == key[0], chunk.c.source_id == key[1])
        .values(state=DELETING, text=None, updated_at=_now())
    )


def pending_chunks(session: Session, limit: int) -> list[PendingChunk]:
    rows = session.execute(
        select(chunk).where(chunk.c.state == PENDING).order_by(chunk.c.updated_at).limit(limit)
    )
    return [
        PendingChunk(
            point_id=r.point_id,
            key=(r.source_kind, r.source_id),
            chunk_no=int(r.chunk_no),
            content_hash=r.content_hash,
            text=r.text or "",
            redactions=list(r.redactions or []),
        )
        for r in rows
    ]


def deleting_point_ids(session: Session, limit: int) -> list[str]:
    rows = session.execute(
        select(chunk.c.point_id)
        .where(chunk.c.state == DELETING)
        .order_by(chunk.c.updated_at)
        .limit(limit)
    )
    return [r.point_id for r in rows]


def indexed_point_ids(session: Session, keys: Sequence[Key]) -> dict[Key, list[str]]:
    found: dict[Key, list[str]] = {key: [] for key in keys}
    for batch in _batches(list(keys)):
        rows = session.execute(
            select(chunk.c.source_kind, chunk.c.source_id, chunk.c.point_id)
            .where(
                tuple_(chunk.c.source_kind, chunk.c.source_id).in_(batch),
                chunk.c.state == INDEXED,
            )
            .order_by(chunk.c.chunk_no)
        )
        for r in rows:
            found[(r.source_kind, r.source_id)].append(r.point_id)
    return found


def mark_indexed(session: Session, written: Sequence[tuple[str, str]]) -> int:
    """Each chunk still at the content it was written with becomes `indexed`; returns how many.
    One that changed meanwhile stays pending with its new text."""
    done = 0
    for point_id, content_hash in written:
        result = session.execute(
            update(chunk)
            .where(
                chunk.c.point_id == point_id,
                chunk.c.content_hash == content_hash,
                chunk.c.state == PENDING,
            )
            .values(state=INDEXED, text=None, attempts=0, last_error=None, updated_at=_now())
        )
        done += int(getattr(result, "rowcount", 0) or 0)
    return done


def forget_deleted(session: Session, point_ids: Sequence[str]) -> None:
    """Drop the rows of chunks deleted from the store (unless revived meanwhile)."""
    for batch in _batches(list(point_ids)):
        session.execute(delete(chunk).where(chunk.c.point_id.in_(batch), chunk.c.state == DELETING))


def record_failure(
    session: Session, point_ids: Sequence[str], error: str, *, give_up_at: int
) -> None:
    for batch in _batches(list(point_ids)):
        session.execute(
            update(chunk)
            .where(chunk.c.point_id.in_(batch), chunk.c.state == PENDING)
            .values(attempts=chunk.c.attempts + 1, last_error=error[:1000])
        )
        session.execute(
            update(chunk)
            .where(
                chunk.c.point_id.in_(batch),
                chunk.c.state == PENDING,
                chunk.c.attempts >= give_up_at,
            )
            .values(state=FAILED)
        )


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(chunk.c.state, func.count()).group_by(chunk.c.state))
    found = dict.fromkeys((PENDING, INDEXED, DELETING, FAILED), 0)
    found.update({state: int(n) for state, n in rows})
    dirty = session.execute(select(func.count()).select_from(record).where(record.c.is_dirty))
    found["dirty_records"] = int(dirty.scalar_one())
    return found


def reset(session: Session) -> None:
    """Forget every record and chunk (the collection is being rebuilt)."""
    session.execute(delete(chunk))
    session.execute(delete(ref))
    session.execute(delete(record))


def forget_consumers(session: Session, consumers: Sequence[str]) -> None:
    """Drop what the consumer runner holds for these consumers (versions seen, events done), so
    a replay or a snapshot is applied again rather than dropped as stale."""
    session.execute(delete(aggregate_version).where(aggregate_version.c.consumer.in_(consumers)))
    session.execute(delete(processed_event).where(processed_event.c.consumer.in_(consumers)))
