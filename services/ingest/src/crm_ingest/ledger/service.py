"""Keeping the ledger equal to the CRM's current text, one record event at a time.

A handler only writes the ledger, in the consumer's transaction: which chunks a record has now,
which changed (pending, with their text), which are gone (deleting), and which records' payload
must be re-stamped. It never embeds: the indexer does that afterwards, in batches across events
and fetches, so a slow model never holds a transaction or lets a message's ack deadline pass.

- A chunk whose content hash did not change costs nothing: a redelivery or an update that does
  not touch the prose leaves its rows as they are (only the payload is re-stamped).
- A soft delete or a purge turns every chunk of the record to `deleting`; a restore brings the
  record's state back, so its chunks are written again.
- A source whose events carry no prose (gmail-sync's messages) has its text fetched first
  (`Source.fetch`); with nothing to index, a record it had is retracted like a delete, and one
  it never had leaves no row at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from crm_common.events import CloudEvent
from crm_ingest.chunking.service import ChunkDraft, Chunker, point_id
from crm_ingest.ledger import repository
from crm_ingest.ledger.models import DELETING, FAILED
from crm_ingest.ledger.repository import Key
from crm_ingest.sources.base import Caller, RecordView, Source

WAKE_KEY = "crm_ingest.index_due"


def _wake_indexer(session: Session) -> None:
    session.info[WAKE_KEY] = True


def apply_event(
    cloud_event: CloudEvent,
    session: Session,
    *,
    source: Source,
    chunker: Chunker,
    caller: Caller | None = None,
) -> None:
    """The ledger after a `<events>.<created|updated|deleted|restored|snapshot|purged>` event.

    Raises whatever `source.fetch` raises when the service holding the text cannot answer: the
    runner retries the event later."""
    key: Key = (source.kind, cloud_event.subject)
    if cloud_event.action == "purged":
        forget_record(session, key)
        return
    state = cloud_event.data
    is_live = state.get("deleted_at") is None
    if source.fetch is not None:
        if caller is None:
            raise RuntimeError(f"source {source.kind} fetches its text: give a caller")
        fetched = source.fetch(state, caller) if is_live else None
        if fetched is None:
            if repository.get_record(session, key) is None:
                return  # never indexed: nothing of it is kept
            is_live = False
        else:
            state = fetched
    view = source.view(state)
    save_record(session, key, version=cloud_event.version, view=view, is_live=is_live)
    if source.has_text:
        sync_chunks(session, key, chunker.chunks(view.fields) if is_live else [])


def save_record(
    session: Session, key: Key, *, version: int, view: RecordView, is_live: bool
) -> None:
    held = repository.get_record(session, key)
    values: dict[str, Any] = {
        "version": version,
        "is_live": is_live,
        "title": view.title[:500],
        "type": view.type,
        "event_at": view.event_at,
        "author_id": view.author_id,
        "label": view.label[:500] if view.label else None,
        "fund_id": view.fund_id,
    }
    repository.save_record(session, key, values, exists=held is not None)
    repository.set_refs(session, key, view.refs)
    shown_elsewhere = held is None or (
        (held.label, held.fund_id, held.is_live) != (values["label"], view.fund_id, is_live)
    )
    if shown_elsewhere:  # the records that show its name or fund need a new payload
        others = [k for k in repository.referencing(session, [key]) if k != key]
        repository.mark_dirty(session, others)
    _wake_indexer(session)


def sync_chunks(session: Session, key: Key, drafts: Sequence[ChunkDraft]) -> None:
    held = repository.chunks_of(session, key)
    for draft in drafts:
        row = held.pop(draft.chunk_no, None)
        redactions = [m.model_dump() for m in draft.redactions]
        if row is None:
            repository.add_chunk(
                session,
                point_id=point_id(key[0], key[1], draft.chunk_no),
                key=key,
                chunk_no=draft.chunk_no,
                content_hash=draft.content_hash,
                text=draft.text,
                redactions=redactions,
            )
        elif row.content_hash != draft.content_hash or row.state in (DELETING, FAILED):
            # Changed, or coming back before its delete was written: embed it again (its old
            # point may be gone by the time the indexer looks).
            repository.rewrite_chunk(
                session,
                row.point_id,
                content_hash=draft.content_hash,
                text=draft.text,
                redactions=redactions,
            )
    if held:  # the record got shorter, or it was deleted
        repository.mark_deleting(session, [row.point_id for row in held.values()])
    _wake_indexer(session)


def forget_record(session: Session, key: Key) -> None:
    """A purge: its chunks leave the store, and the ledger forgets it."""
    others = [k for k in repository.referencing(session, [key]) if k != key]
    repository.mark_record_deleting(session, key)
    repository.delete_record(session, key)
    repository.mark_dirty(session, others)
    _wake_indexer(session)
