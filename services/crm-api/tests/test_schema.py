"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import crm_api.models as models
from conftest import build_settings
from crm_api.__main__ import DEFINITION
from crm_common.cli import migrate
from crm_common.models import common_metadata

# What the models cannot say: the common branch's tables (crm_common's own metadata), SQLite's
# FTS5 index of contact_search and PostgreSQL's pg_trgm index on it (made by raw DDL).
_COMMON = set(common_metadata.tables)
_RAW_DDL = {"ix_contact_search_document_trgm"}


def _expected(diff: Any) -> bool:
    kind, item = diff[0], diff[1]
    table = getattr(item, "table", item)
    name = getattr(table, "name", "")
    return (
        name in _COMMON
        or name.startswith("contact_search_fts")
        or (kind == "remove_index" and item.name in _RAW_DDL)
    )


def test_the_migrated_schema_matches_the_models(tmp_path: Path, database_url: str) -> None:
    settings = build_settings(tmp_path, database_url)
    migrate(DEFINITION, settings)
    engine = create_engine(settings.database_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn, warnings.catch_warnings():
            # Neither dialect reflects expression indexes (lower(name)); alembic says so.
            warnings.simplefilter("ignore")
            diffs = compare_metadata(MigrationContext.configure(conn), models.metadata)
    finally:
        engine.dispose()
    unexpected = [d for d in diffs if not _expected(d)]
    assert unexpected == []
