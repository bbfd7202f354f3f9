"""The metadata every ingest table is declared on (for Alembic)."""

from __future__ import annotations

from sqlalchemy import MetaData

from crm_common.models import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)
