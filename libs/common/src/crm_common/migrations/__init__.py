"""Alembic wiring shared by every service.

One Alembic environment (this folder's `env.py`) serves every service: a service passes its own
`versions/` folder and metadata, and the `common` branch in this folder's `versions/` adds the
outbox and ledger tables to every database. Migrations are applied at startup (`upgrade`) and by
each service's `migrate` command; on PostgreSQL an advisory lock keeps replicas that start
together from racing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, text

from crm_common.db import create_db_engine
from crm_common.models import common_metadata

HERE = Path(__file__).resolve().parent
COMMON_VERSIONS = HERE / "versions"
_MIGRATION_LOCK_KEY = 0x0C_0B_07_02


def alembic_config(
    url: str, *, versions: Path | None = None, metadata: Sequence[MetaData] = ()
) -> Config:
    """An Alembic config for a service database: the common branch plus the service's versions."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("path_separator", "os")
    locations = [str(COMMON_VERSIONS)] + ([str(versions)] if versions else [])
    cfg.set_main_option("version_locations", os.pathsep.join(locations))
    cfg.set_main_option("file_template", "%%(year)d-%%(month).2d-%%(day).2d_%%(slug)s")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["target_metadata"] = [common_metadata, *metadata]
    return cfg


def upgrade(url: str, *, versions: Path | None = None, metadata: Sequence[MetaData] = ()) -> None:
    """Apply every migration not yet applied (all branch heads)."""
    command.upgrade(alembic_config(url, versions=versions, metadata=metadata), "heads")


def current_heads(url: str, *, versions: Path | None = None) -> tuple[set[str], set[str]]:
    """(applied revisions, head revisions): equal when the database is up to date."""
    cfg = alembic_config(url, versions=versions)
    script = ScriptDirectory.from_config(cfg)
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            applied = set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()
    return applied, set(script.get_heads())


def run_env(context: Any) -> None:
    """The body of env.py: run migrations online, under a lock on PostgreSQL."""
    config = context.config
    metadata = config.attributes.get("target_metadata") or [common_metadata]
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        _run(context, connection, metadata)
        return
    engine = create_db_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as conn:
            _run(context, conn, metadata)
    finally:
        engine.dispose()


def _run(context: Any, conn: Connection, metadata: Sequence[MetaData]) -> None:
    is_postgres = conn.dialect.name == "postgresql"
    if is_postgres:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
        conn.commit()
    try:
        context.configure(
            connection=conn,
            target_metadata=list(metadata),
            render_as_batch=conn.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()
    finally:
        if is_postgres:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK_KEY})
            conn.commit()
