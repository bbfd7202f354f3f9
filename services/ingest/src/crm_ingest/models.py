"""Every ingest table, imported so that `metadata` knows them all (for Alembic)."""

from __future__ import annotations

from crm_ingest.db import metadata
from crm_ingest.entities import models as entities
from crm_ingest.ledger import models as ledger

__all__ = ["entities", "ledger", "metadata"]
