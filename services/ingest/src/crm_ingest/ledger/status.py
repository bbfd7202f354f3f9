"""The ledger as a whole: what is left to write, and starting it over."""

from __future__ import annotations

from collections.abc import Sequence

from crm_common.db import Database
from crm_ingest.ledger import repository


def chunk_counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        return repository.counts(session)


def forget_everything(db: Database, consumers: Sequence[str]) -> None:
    """Forget every CRM record and chunk, and what `consumers` have applied (a reindex)."""
    with db.transaction() as session:
        repository.reset(session)
        repository.forget_consumers(session, consumers)
