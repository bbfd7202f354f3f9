"""Scheduled rules: a background worker of crm-api runs every active rule whose
`schedule_seconds` have passed since it last ran.

Several replicas: each rule's run happens in a transaction that first claims the rule's schedule
row (PostgreSQL `FOR UPDATE SKIP LOCKED`; SQLite write transactions are serial) and checks it is
still due, so one replica runs it and the others find it done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from crm_api.automations import engine
from crm_api.automations.schemas import RuleRunRead
from crm_api.database import utcnow
from crm_common.db import Database

logger = logging.getLogger(__name__)


class RuleScheduler:
    def __init__(self, db: Database, *, interval: float = 15.0) -> None:
        self._db = db
        self._interval = interval
        self._stopped = asyncio.Event()

    async def run(self) -> None:
        while not self._stopped.is_set():
            try:
                await asyncio.to_thread(self.tick)
            except SQLAlchemyError as exc:
                logger.warning("rule scheduler: %s; trying again later", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), self._interval)

    async def stop(self) -> None:
        self._stopped.set()

    def tick(self, now: datetime | None = None) -> list[RuleRunRead]:
        """Run the rules that are due; returns the runs this replica made."""
        moment = now or utcnow()
        with self._db.session() as session:
            due = engine.due_rules(session, now=moment)
        runs = []
        for rule_id in due:
            with self._db.transaction() as session:
                run = engine.run_scheduled(session, rule_id=rule_id, now=moment)
            if run is not None:
                runs.append(run)
                logger.info("scheduled rule %s ran: %d changes", rule_id, len(run.changes))
        return runs
