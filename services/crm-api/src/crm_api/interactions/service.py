"""Appending to, reading and verifying the interaction log.

Each row carries `hash = sha256(prev_hash + canonical JSON of the row)`, so altering, inserting or
removing a row anywhere breaks verification from that row on. The first row chains to 64 zeros.
A row's MCP session (added later) is part of the JSON only where it is set, so rows written before
it still verify.
Appends are serialized (repository.lock_chain) so the chain is linear. auth's identity changes
reach the log through the recorder registered here (crm_api.auth.hooks).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth import hooks
from crm_api.database import utcnow
from crm_api.interactions import repository
from crm_api.interactions.models import InteractionLog
from crm_api.interactions.schemas import (
    ChainReport,
    InteractionCreate,
    InteractionFilter,
    InteractionPage,
    InteractionRead,
    Target,
)
from crm_common import logging as crm_logging
from crm_common.contracts.interactions import digest
from crm_common.events import Actor
from crm_common.outbox import record_change

GENESIS = "0" * 64
SOURCE = "/crm-api"


def _row_hash(entry: InteractionLog) -> str:
    body = {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor_kind": entry.actor_kind,
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "channel": entry.channel,
        "summary": entry.summary,
        "targets": entry.targets,
        "payload_digest": entry.payload_digest,
        "outcome": entry.outcome,
        "duration_ms": entry.duration_ms,
        "flags": entry.flags,
        "request_id": entry.request_id,
    }
    if entry.session_id is not None:
        body["session_id"] = entry.session_id
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((entry.prev_hash + canonical).encode()).hexdigest()


def append(
    session: Session, *, actor: Actor, entry: InteractionCreate, session_id: str | None = None
) -> InteractionRead:
    """Append `entry` on behalf of `actor` (in MCP session `session_id`, if any), and publish it
    as `crm.interaction.created`."""
    repository.lock_chain(session)
    last = repository.last_entry(session)
    row = InteractionLog(
        seq=(last.seq + 1) if last else 1,
        at=utcnow(),
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_name=actor.name,
        action=entry.action,
        channel=entry.channel,
        summary=entry.summary,
        targets=[t.model_dump() for t in entry.targets],
        payload_digest=entry.payload_digest,
        outcome=entry.outcome,
        duration_ms=entry.duration_ms,
        flags=sorted(set(entry.flags)),
        request_id=crm_logging.request_id.get(),
        session_id=session_id,
        prev_hash=last.hash if last else GENESIS,
    )
    row.hash = _row_hash(row)
    repository.add(session, row)
    read = InteractionRead.model_validate(row)
    record_change(
        session,
        source=SOURCE,
        event_type="crm.interaction.created",
        aggregate_id=str(row.seq),
        version=1,
        data=read.model_dump(mode="json"),
        actor=actor,
    )
    return read


def touch(
    session: Session,
    *,
    actor: Actor,
    action: str,
    channel: str,
    targets: list[tuple[str, str]],
    summary: str = "",
    payload: Any = None,
    outcome: str = "ok",
    flags: tuple[str, ...] = (),
    session_id: str | None = None,
) -> InteractionRead:
    """Record a human's or agent's write made through crm-api itself.

    The targets are not capped as an appended entry's are: a bulk write names every record.
    """
    entry = InteractionCreate.model_validate(
        {
            "action": action,
            "channel": channel,
            "summary": summary[:2000],
            "payload_digest": digest(payload) if payload is not None else None,
            "outcome": outcome,
            "flags": list(flags),
        }
    )
    named = [Target(type=t, id=i) for t, i in targets]
    return append(
        session,
        actor=actor,
        entry=entry.model_copy(update={"targets": named}),
        session_id=session_id,
    )


_GATHER = "interactions.gathered"


@dataclass
class Gathered:
    """The touches of a bulk operation, held back to become one entry that names them all."""

    targets: dict[tuple[str, str], None] = field(default_factory=dict)  # an ordered set
    actions: Counter[str] = field(default_factory=Counter)

    def add(self, *, action: str, targets: list[tuple[str, str]]) -> None:
        self.actions[action] += 1
        self.targets.update(dict.fromkeys(targets))


@contextmanager
def gathered(session: Session) -> Iterator[Gathered]:
    """Inside, the aggregate kit's touches are gathered instead of written; the caller then
    writes one entry with `touch(..., targets=list(batch.targets))` (an import of 100,000 rows
    is one entry per batch, not 100,000)."""
    batch = Gathered()
    session.info[_GATHER] = batch
    try:
        yield batch
    finally:
        session.info.pop(_GATHER, None)


def gathering(session: Session) -> Gathered | None:
    """The batch touches are being gathered into, if any."""
    batch: Gathered | None = session.info.get(_GATHER)
    return batch


def search(session: Session, *, filters: InteractionFilter) -> InteractionPage:
    items = [InteractionRead.model_validate(r) for r in repository.search(session, filters=filters)]
    next_cursor = items[-1].seq if len(items) == filters.limit else None
    return InteractionPage(items=items, next_cursor=next_cursor)


def verify(session: Session) -> ChainReport:
    """Recompute the chain; name the first row that does not match."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    for row in repository.iterate(session):
        if row.seq != expected_seq:
            return ChainReport(
                ok=False,
                rows_checked=checked,
                first_broken_seq=row.seq,
                reason=f"expected row {expected_seq} next, found {row.seq}",
            )
        if row.prev_hash != expected_prev:
            return ChainReport(
                ok=False,
                rows_checked=checked,
                first_broken_seq=row.seq,
                reason="prev_hash does not match the row before",
            )
        if _row_hash(row) != row.hash:
            return ChainReport(
                ok=False,
                rows_checked=checked,
                first_broken_seq=row.seq,
                reason="the row's content does not match its hash",
            )
        expected_prev = row.hash
        expected_seq += 1
        checked += 1
    return ChainReport(ok=True, rows_checked=checked)


def _touch_identity_change(session: Session, change: hooks.IdentityChange) -> None:
    touch(
        session,
        actor=change.actor,
        action=change.action,
        channel=change.channel,
        targets=change.targets,
        summary=change.summary,
        payload=change.payload,
    )


hooks.on_change("interactions", _touch_identity_change)
