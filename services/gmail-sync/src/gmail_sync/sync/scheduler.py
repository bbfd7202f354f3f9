"""The sync's place in the service process: a runtime worker that syncs every active account on
its own schedule (`SYNC_INTERVAL_SECONDS` after its last run), one run per account at a time, each
in a worker thread, and at once on `sync_now`. One account's failure never holds up another's."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from crm_common.db import Database
from gmail_sync.accounts import service as accounts
from gmail_sync.sync.engine import RunResult, SyncEngine

logger = logging.getLogger(__name__)


class SyncScheduler:
    def __init__(self, *, db: Database, engine: SyncEngine, interval: float) -> None:
        self._db = db
        self._engine = engine
        self._interval = interval
        self._running: dict[str, asyncio.Task[RunResult]] = {}
        self._due: dict[str, float] = {}
        self._now: set[str] = set()
        self._wake = asyncio.Event()
        self._stopped = asyncio.Event()
        self.results: list[RunResult] = []

    def sync_now(self, account_id: str) -> None:
        """Run the account's sync as soon as its current run (if any) ends."""
        self._now.add(account_id)
        self._wake.set()

    async def run(self) -> None:
        while not self._stopped.is_set():
            self._wake.clear()
            try:
                ids = await asyncio.to_thread(self._synced_accounts)
            except Exception:  # the database is down: try again on the next tick
                logger.exception("cannot list the accounts to sync")
                ids = []
            clock = time.monotonic()
            for account_id in ids:
                if account_id in self._running:
                    continue
                if account_id in self._now or self._due.get(account_id, 0.0) <= clock:
                    self._now.discard(account_id)
                    self._start(account_id)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), min(self._interval, 5.0))

    def _synced_accounts(self) -> list[str]:
        with self._db.session() as session:
            return [a.id for a in accounts.list_accounts(session, only_synced=True)]

    def _start(self, account_id: str) -> None:
        task = asyncio.create_task(asyncio.to_thread(self._engine.sync_account, account_id))
        self._running[account_id] = task

        def done(finished: asyncio.Task[RunResult]) -> None:
            self._running.pop(account_id, None)
            self._due[account_id] = time.monotonic() + self._interval
            if finished.cancelled():
                return
            error = finished.exception()
            if error is not None:
                logger.error("sync of account %s failed", account_id, exc_info=error)
                return
            result = finished.result()
            self.results.append(result)
            if result.kind == "backfill" and not result.is_complete and result.error is None:
                self._now.add(account_id)  # more pages to go
            self._wake.set()

        task.add_done_callback(done)

    async def stop(self) -> None:
        self._engine.stop()
        self._stopped.set()
        self._wake.set()
        if self._running:
            await asyncio.wait(list(self._running.values()), timeout=30)
