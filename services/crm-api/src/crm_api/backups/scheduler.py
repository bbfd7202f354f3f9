"""Automatic backups: a background worker of crm-api takes one when the policy says it is due
(a file lock in the backup directory lets one replica at a time do it) and prunes by retention."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from crm_api.auth.principal import SYSTEM
from crm_api.backups import policy
from crm_api.backups.store import Store
from crm_api.database import utcnow
from crm_common.db import Database

logger = logging.getLogger(__name__)


class BackupScheduler:
    def __init__(self, db: Database, store: Store, *, interval: float = 60.0) -> None:
        self._db = db
        self._store = store
        self._interval = interval
        self._stopped = asyncio.Event()

    async def run(self) -> None:
        while not self._stopped.is_set():
            try:
                made = await asyncio.to_thread(
                    policy.run_due, self._db, self._store, actor=SYSTEM, now=utcnow()
                )
                if made is not None:
                    logger.info("automatic backup %s taken (%d bytes)", made.id, made.size)
            except Exception:  # a worker reports every failure and keeps to its schedule
                logger.exception("automatic backup failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), self._interval)

    async def stop(self) -> None:
        self._stopped.set()
