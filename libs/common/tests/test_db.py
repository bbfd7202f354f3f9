"""Engines, transactions, UTC datetimes and migrations on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, inspect, select, text, update

from crm_common import migrations
from crm_common.db import Database, UtcDateTime


def test_every_sqlite_connection_gets_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        connections = [db.engine.connect() for _ in range(3)]  # three pooled connections
        for conn in connections:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
        for conn in connections:
            conn.close()
    finally:
        db.dispose()


def test_migrations_create_the_common_tables_and_a_second_run_changes_nothing(
    database_url: str,
) -> None:
    migrations.upgrade(database_url)
    migrations.upgrade(database_url)
    applied, heads = migrations.current_heads(database_url)
    assert applied == heads == {"common_0001"}
    db = Database(database_url)
    try:
        tables = set(inspect(db.engine).get_table_names())
    finally:
        db.dispose()
    assert {"outbox", "processed_event", "aggregate_version", "alembic_version"} <= tables


def test_datetimes_come_back_aware_in_utc(db: Database) -> None:
    metadata = MetaData()
    stamp = Table(
        "stamp", metadata, Column("id", Integer, primary_key=True), Column("at", UtcDateTime())
    )
    metadata.create_all(db.engine)
    berlin = timezone(timedelta(hours=1))
    written = datetime(2026, 3, 1, 13, 30, tzinfo=berlin)
    with db.transaction() as session:
        session.execute(insert(stamp).values(id=1, at=written))
    with db.session() as session:
        read = session.execute(select(stamp.c.at)).scalar_one()
    assert read == written
    assert read.tzinfo == UTC


def test_a_naive_datetime_is_refused(db: Database) -> None:
    metadata = MetaData()
    stamp = Table(
        "stamp2", metadata, Column("id", Integer, primary_key=True), Column("at", UtcDateTime())
    )
    metadata.create_all(db.engine)
    with pytest.raises(Exception, match="naive datetime"), db.transaction() as session:
        session.execute(insert(stamp).values(id=1, at=datetime(2026, 1, 1)))  # noqa: DTZ001


def test_concurrent_read_then_write_transactions_all_commit(db: Database) -> None:
    metadata = MetaData()
    counter = Table(
        "counter", metadata, Column("id", Integer, primary_key=True), Column("n", Integer)
    )
    metadata.create_all(db.engine)
    with db.transaction() as session:
        session.execute(insert(counter).values(id=1, n=0))
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(20):
                with db.transaction() as session:
                    n = session.execute(
                        select(counter.c.n).where(counter.c.id == 1).with_for_update()
                    ).scalar_one()
                    session.execute(update(counter).where(counter.c.id == 1).values(n=n + 1))
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.session() as session:
        assert session.execute(select(counter.c.n)).scalar_one() == 80


def _planner_table(db: Database) -> None:
    with db.transaction() as session:
        session.execute(text("CREATE TABLE person (id INTEGER PRIMARY KEY, country TEXT)"))
        session.execute(text("CREATE INDEX ix_person_country ON person (country)"))
        session.execute(
            text("INSERT INTO person (country) VALUES (:c)"),
            [{"c": "GB" if i % 10 else "US"} for i in range(200)],
        )


def test_analyze_gives_sqlite_planner_statistics(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        _planner_table(db)
        assert db.has_statistics() is False
        db.analyze()
        assert db.has_statistics() is True
    finally:
        db.dispose()


def test_a_pooled_sqlite_connection_refreshes_statistics_for_the_tables_it_queried(
    tmp_path: Path,
) -> None:
    from crm_common.db import create_db_engine

    url = f"sqlite:///{tmp_path / 'a.db'}"
    db = Database(url, engine=create_db_engine(url, optimize_every=0.0))
    try:
        _planner_table(db)
        with db.engine.connect() as conn:  # checked in twice: the second check-in optimizes
            conn.execute(text("SELECT count(*) FROM person WHERE country = 'GB'")).scalar()
        with db.engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM person WHERE country = 'GB'")).scalar()
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT tbl, idx FROM sqlite_stat1")).all()
        assert ("person", "ix_person_country") in {tuple(r) for r in rows}
    finally:
        db.dispose()
