"""Taking, checking, comparing and restoring copies of the whole CRM database.

SQLite: the online backup API (`sqlite3.Connection.backup`), in one step, so the copy is the
database as of one instant while the service keeps writing (WAL readers never block writers).
Checked with `PRAGMA integrity_check` on the copy. Restored with the same API in reverse, onto the
live file: it writes under SQLite's own locks, so the service's other connections (this process's
pool, other replicas) see the restored database as one large transaction.

PostgreSQL: `pg_dump --format=custom` from a snapshot exported by a REPEATABLE READ transaction,
which also counts the rows, so the counts are those of the dump. Checked with `pg_restore --list`.
Restored with `pg_restore --clean --if-exists --single-transaction`. The password goes to the tools
through PGPASSWORD, never their command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from crm_api.backups.errors import BackupUnavailable

LOG_TABLES = {"interaction_log": "seq", "audit_log": "id"}


@dataclass(frozen=True)
class Taken:
    counts: dict[str, int]
    log_marks: dict[str, int]
    revision: list[str]


@dataclass(frozen=True)
class Checked:
    ok: bool
    detail: str
    revision: list[str]


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupUnavailable("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return {
        name: int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) for name in names
    }


def _marks(conn: sqlite3.Connection) -> dict[str, int]:
    marks = {}
    for table, column in LOG_TABLES.items():
        value = conn.execute(f"SELECT max({column}) FROM {table}").fetchone()[0]
        marks[table] = int(value or 0)
    return marks


def _revision(conn: sqlite3.Connection) -> list[str]:
    try:
        return sorted(row[0] for row in conn.execute("SELECT version_num FROM alembic_version"))
    except sqlite3.DatabaseError:
        return []


def sqlite_backup(live: Path, dest: Path) -> Taken:
    """Copy the live database to `dest` (a new file), consistent as of one instant."""
    source = sqlite3.connect(f"file:{live}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)  # pages=-1: one step, one read transaction, one instant
        target.execute("PRAGMA journal_mode=DELETE")
        return Taken(counts=_counts(target), log_marks=_marks(target), revision=_revision(target))
    finally:
        target.close()
        source.close()


def sqlite_check(path: Path) -> Checked:
    """PRAGMA integrity_check on a backup file, opened read-only."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        return Checked(ok=False, detail=f"cannot open: {exc}", revision=[])
    try:
        found = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        revision = _revision(conn)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        # A damaged page can hold text that is no longer UTF-8 (the revision, a row's value).
        return Checked(ok=False, detail=f"not a sound SQLite database: {exc}", revision=[])
    finally:
        conn.close()
    ok = found == ["ok"]
    return Checked(ok=ok, detail="ok" if ok else "; ".join(found[:5]), revision=revision)


def sqlite_restore(backup: Path, live: Path) -> None:
    """Write the backup over the live database, under SQLite's locks (the backup API)."""
    source = sqlite3.connect(f"file:{backup}?mode=ro&immutable=1", uri=True)
    target = sqlite3.connect(live, timeout=60)
    try:
        target.execute("PRAGMA busy_timeout=60000")
        source.backup(target, sleep=0.05)
        target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        target.close()
        source.close()


# -- PostgreSQL ---------------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupUnavailable(
            f"{name} is not on PATH: install the PostgreSQL client tools to back up PostgreSQL"
        )
    return found


def pg_available() -> str | None:
    """Why PostgreSQL backups are unavailable here, or None when they are."""
    missing = [name for name in ("pg_dump", "pg_restore") if shutil.which(name) is None]
    return f"{', '.join(missing)} not on PATH" if missing else None


def _pg_target(url: str) -> tuple[list[str], dict[str, str]]:
    parsed = make_url(url)
    args = ["--dbname", parsed.database or ""]
    if parsed.host:
        args += ["--host", parsed.host]
    if parsed.port:
        args += ["--port", str(parsed.port)]
    if parsed.username:
        args += ["--username", parsed.username]
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    env["PGCONNECT_TIMEOUT"] = "10"
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    # A damaged archive can make the tools print bytes that are not UTF-8 (a flipped byte in a
    # name pg_restore lists): read them as replacement characters, never fail on decoding.
    result = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=3600,
    )
    if result.returncode != 0:
        # The tools' messages name tables and errors, never the password (it is in the env).
        raise RuntimeError(f"{what} failed: {result.stderr.strip()[-2000:]}")
    return result.stdout


def pg_backup(engine: Engine, url: str, dest: Path) -> Taken:
    dump = _tool("pg_dump")
    args, env = _pg_target(url)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            tables = [
                row[0]
                for row in conn.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                        "ORDER BY tablename"
                    )
                )
            ]
            counts = {
                name: int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
                for name in tables
            }
            marks = {
                table: int(
                    conn.execute(text(f"SELECT coalesce(max({col}), 0) FROM {table}")).scalar_one()
                )
                for table, col in LOG_TABLES.items()
            }
            revision = sorted(
                row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))
            )
            _run(
                [
                    dump,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "--file",
                    str(dest),
                    *args,
                ],
                env,
                "pg_dump",
            )
    return Taken(counts=counts, log_marks=marks, revision=revision)


def pg_check(path: Path) -> Checked:
    restore = _tool("pg_restore")
    try:
        listing = _run([restore, "--list", str(path)], dict(os.environ), "pg_restore --list")
    except RuntimeError as exc:
        return Checked(ok=False, detail=str(exc), revision=[])
    has_data = "TABLE DATA" in listing
    return Checked(
        ok=has_data,
        detail="ok" if has_data else "the archive lists no table data",
        revision=[],
    )


def pg_restore(path: Path, url: str) -> None:
    restore = _tool("pg_restore")
    args, env = _pg_target(url)
    _run(
        [
            restore,
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            *args,
            str(path),
        ],
        env,
        "pg_restore",
    )


def sqlite_compare(live: Path, backup: Path, aggregates: set[str]) -> list[dict[str, object]]:
    """Per table: rows now and in the backup; for aggregate tables, the records a restore would
    take away, bring back, or put at another version (with a few ids of each)."""
    conn = sqlite3.connect(f"file:{live}?mode=ro", uri=True, timeout=30)
    try:
        conn.execute("ATTACH DATABASE ? AS b", (f"file:{backup}?mode=ro&immutable=1",))

        def names(schema: str) -> set[str]:
            return {
                row[0]
                for row in conn.execute(
                    f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            }

        here, there = names("main"), names("b")
        found: list[dict[str, object]] = []
        for table in sorted(here | there):

            def count(schema: str, present: set[str], t: str = table) -> int:
                if t not in present:
                    return 0
                return int(conn.execute(f'SELECT count(*) FROM {schema}."{t}"').fetchone()[0])

            entry: dict[str, object] = {
                "table": table,
                "live": count("main", here),
                "backup": count("b", there),
                "removed": None,
                "returned": None,
                "changed": None,
                "sample_removed": [],
                "sample_returned": [],
            }
            if table in aggregates and table in here and table in there:
                gone = f'FROM main."{table}" WHERE id NOT IN (SELECT id FROM b."{table}")'
                back = f'FROM b."{table}" WHERE id NOT IN (SELECT id FROM main."{table}")'
                entry["removed"] = int(conn.execute(f"SELECT count(*) {gone}").fetchone()[0])
                entry["returned"] = int(conn.execute(f"SELECT count(*) {back}").fetchone()[0])
                entry["changed"] = int(
                    conn.execute(
                        f'SELECT count(*) FROM main."{table}" m JOIN b."{table}" x ON x.id = m.id '
                        "WHERE x.version <> m.version"
                    ).fetchone()[0]
                )
                entry["sample_removed"] = [r[0] for r in conn.execute(f"SELECT id {gone} LIMIT 5")]
                entry["sample_returned"] = [r[0] for r in conn.execute(f"SELECT id {back} LIMIT 5")]
            found.append(entry)
        return found
    finally:
        conn.close()
