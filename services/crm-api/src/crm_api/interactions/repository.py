from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from crm_api.interactions.models import InteractionLog, InteractionTarget
from crm_api.interactions.schemas import InteractionFilter

_CHAIN_LOCK = 0x0C_0B_07_10


def lock_chain(session: Session) -> None:
    """Serialize appends so each row chains to the one before it.

    SQLite write transactions already hold the database's write lock (BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})


def last_entry(session: Session) -> InteractionLog | None:
    return session.scalars(
        select(InteractionLog).order_by(InteractionLog.seq.desc()).limit(1)
    ).first()


def add(session: Session, entry: InteractionLog) -> None:
    session.add(entry)
    session.flush()
    for target in {(t["type"], t["id"]) for t in entry.targets}:
        session.add(InteractionTarget(seq=entry.seq, entity_type=target[0], entity_id=target[1]))


def search(session: Session, *, filters: InteractionFilter) -> list[InteractionLog]:
    query = select(InteractionLog).order_by(InteractionLog.seq.desc()).limit(filters.limit)
    if filters.entity_type is not None or filters.entity_id is not None:
        matching = select(InteractionTarget.seq)
        if filters.entity_type is not None:
            matching = matching.where(InteractionTarget.entity_type == filters.entity_type)
        if filters.entity_id is not None:
            matching = matching.where(InteractionTarget.entity_id == filters.entity_id)
        query = query.where(InteractionLog.seq.in_(matching))
    if filters.action is not None and filters.action.endswith("."):
        query = query.where(InteractionLog.action.startswith(filters.action, autoescape=True))
    elif filters.action is not None:
        query = query.where(InteractionLog.action == filters.action)
    for column, value in (
        (InteractionLog.actor_id, filters.actor_id),
        (InteractionLog.outcome, filters.outcome),
        (InteractionLog.session_id, filters.session_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.cursor is not None:
        query = query.where(InteractionLog.seq < filters.cursor)
    return list(session.scalars(query))


def iterate(session: Session, batch: int = 1000) -> Iterator[InteractionLog]:
    after = 0
    while True:
        rows = list(
            session.scalars(
                select(InteractionLog)
                .where(InteractionLog.seq > after)
                .order_by(InteractionLog.seq)
                .limit(batch)
            )
        )
        if not rows:
            return
        yield from rows
        after = rows[-1].seq
        session.expunge_all()


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(InteractionLog)) or 0)
