"""SQLAlchemy 2 engines, sessions and transactions for SQLite and PostgreSQL.

SQLite gets WAL, foreign keys and a busy timeout on every connection (they are per-connection
settings there). Write transactions on SQLite begin IMMEDIATE: a deferred transaction that reads
and then writes can fail with "database is locked" when two writers upgrade at once, whatever the
busy timeout; IMMEDIATE takes the write lock up front, so writers queue instead.

SQLite's planner needs statistics (`sqlite_stat1`) to choose between indexes: without them it
picks by rules of thumb, and a list filtered by two columns can scan the wrong index. A pooled
SQLite connection runs `PRAGMA optimize` (which analyzes the tables its queries would have
used, when their statistics are missing or stale) when it is returned to the pool, at most once
every OPTIMIZE_EVERY seconds; `Database.analyze()` refreshes every table's statistics at once
(after a bulk load). PostgreSQL's autovacuum keeps its own.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Dialect, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator

SQLITE_BUSY_TIMEOUT_MS = 10_000
OPTIMIZE_EVERY = 3600.0
_OPTIMIZED_AT = "crm_optimized_at"

logger = logging.getLogger(__name__)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on both backends (SQLite keeps no offset, so it is stored as UTC).

    Raises:
        ValueError: a naive datetime is written.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use datetime.now(UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event, not pysqlite, decide how a transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _optimize_on_checkin(every: float) -> Any:
    def optimize(dbapi_connection: Any, record: Any) -> None:
        now = time.monotonic()
        last = record.info.setdefault(_OPTIMIZED_AT, now)
        if now - last < every:
            return
        record.info[_OPTIMIZED_AT] = now
        try:
            dbapi_connection.execute("PRAGMA optimize")
        except sqlite3.Error as exc:  # statistics are an optimization: never fail for them
            logger.warning("PRAGMA optimize skipped: %s", exc)

    return optimize


def _sqlite_on_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def create_db_engine(
    url: str, *, echo: bool = False, optimize_every: float = OPTIMIZE_EVERY, **kwargs: Any
) -> Engine:
    """An engine for `url`, with the per-connection settings SQLite needs.

    A SQLite file's directory is created if missing.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {}).setdefault("check_same_thread", False)
        engine = create_engine(url, echo=echo, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        event.listen(engine, "checkin", _optimize_on_checkin(optimize_every))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", int(os.environ.get("DB_POOL_SIZE", "10")))
    return create_engine(url, echo=echo, **kwargs)


class Database:
    """An engine and its two kinds of session: reads, and write transactions."""

    def __init__(self, url: str, *, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or create_db_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        write_bind = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE")
            if self.is_sqlite
            else self.engine
        )
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(write_bind, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reads; whatever it wrote is rolled back at the end."""
        with self._read() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        with self._write() as session, session.begin():
            yield session

    def analyze(self) -> None:
        """Refresh the planner's statistics of every table (after a bulk load).

        Raises:
            sqlalchemy.exc.DBAPIError: the database refused (busy past the timeout, say).
        """
        with self.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")

    def has_statistics(self) -> bool:
        """Whether SQLite has planner statistics (always True elsewhere: autovacuum keeps them)."""
        if not self.is_sqlite:
            return True
        with self.engine.connect() as conn:
            found = conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
            ).first()
        return found is not None

    def check(self) -> None:
        """Raise if the database cannot be reached."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
