"""The migrations build exactly the tables the models declare, on each backend."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from crm_common.db import Database
from crm_common.models import common_metadata
from gmail_sync.models import metadata

_COMMON = set(common_metadata.tables)


def _ours(diff: Any) -> bool:
    item = diff[1]
    table = getattr(item, "table", item)
    return getattr(table, "name", "") not in _COMMON


def test_the_migrations_match_the_models(gmail_db: Database) -> None:
    with gmail_db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diffs if _ours(d)] == []
