"""Test helpers for libs/common: a downstream effect table, event factories."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.orm import Session

from crm_common.db import Database
from crm_common.events import Actor, CloudEvent

test_metadata = MetaData()

# What a downstream consumer did: one row per effect. No unique key on event_id on purpose, so
# a duplicate effect would show; the consumer ledger is what must prevent it.
effect = Table(
    "effect",
    test_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
    Column("aggregate_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("name", String(200), nullable=True),
)

ACTOR = Actor(kind="service", id="test")


def make_event(
    aggregate_id: str = "c-1", version: int = 1, name: str = "Ada", action: str = "updated"
) -> CloudEvent:
    return CloudEvent(
        source="/test",
        type=f"crm.contact.{action}",
        subject=aggregate_id,
        actor=ACTOR,
        version=version,
        data={"id": aggregate_id, "name": name},
    )


def record_effect(event: CloudEvent, session: Session) -> None:
    session.execute(
        insert(effect).values(
            event_id=event.id,
            aggregate_id=event.subject,
            version=event.version,
            name=event.data.get("name"),
        )
    )


def create_effect_table(db: Database) -> None:
    test_metadata.create_all(db.engine)


def effect_rows(db: Database) -> list[tuple[str, str, int, str | None]]:
    with db.session() as session:
        rows = session.execute(
            select(
                effect.c.event_id, effect.c.aggregate_id, effect.c.version, effect.c.name
            ).order_by(effect.c.id)
        )
        return [tuple(row) for row in rows]


def effect_count(db: Database) -> int:
    with db.session() as session:
        return int(session.execute(select(func.count()).select_from(effect)).scalar_one())
