"""The life of a service process: database, bus, background workers, graceful shutdown.

`ServiceRuntime.start()` returns at once; the bus is connected in the background (a service comes
up, and reports the bus down in its health check, while NATS is still starting). Once connected,
the streams are ensured and every worker is started. `stop()` stops the workers (each finishes the
batch in hand), then drains the connection.

A service's process module registers its domains' consumers (`add_consumers`: one
`ConsumerRunner` each) and request-reply endpoints (`add_endpoints`: one micro service), and any
other worker (`add_worker`: the outbox relay, an indexer).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from crm_common.bus.connection import Bus, connect
from crm_common.bus.consumer import ConsumerRunner, ConsumerSpec
from crm_common.bus.service import Endpoint, EndpointsWorker
from crm_common.bus.streams import ensure_streams
from crm_common.db import Database
from crm_common.settings import ServiceSettings

logger = logging.getLogger(__name__)


class Worker(Protocol):
    async def run(self) -> None: ...

    async def stop(self) -> None: ...


WorkerFactory = Callable[[Bus], Worker]


class ServiceRuntime:
    def __init__(
        self,
        *,
        settings: ServiceSettings,
        db: Database | None,
        workers: list[WorkerFactory] | None = None,
        stream_replicas: int = 1,
    ) -> None:
        self.settings = settings
        self.db = db
        self.bus: Bus | None = None
        self._factories = list(workers or [])
        self._workers: list[Worker] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._connector: asyncio.Task[None] | None = None
        self._stream_replicas = stream_replicas
        self.ready = asyncio.Event()

    def add_worker(self, factory: WorkerFactory) -> None:
        self._factories.append(factory)

    def add_consumers(self, specs: Iterable[ConsumerSpec]) -> None:
        """Run each consumer on this runtime's database once the bus is connected."""
        db = self.db
        if db is None:
            raise ValueError("consumers need a database (their ledger)")
        for spec in specs:
            self.add_worker(lambda bus, spec=spec: ConsumerRunner(spec, bus=bus, db=db))  # type: ignore[misc]

    def add_endpoints(
        self,
        endpoints: Sequence[Endpoint[Any, Any]],
        *,
        name: str,
        version: str,
        description: str = "",
    ) -> None:
        """Serve `endpoints` as the micro service `name` once the bus is connected."""
        served = list(endpoints)
        self.add_worker(
            lambda bus: EndpointsWorker(
                bus.nc, name=name, version=version, endpoints=served, description=description
            )
        )

    async def start(self) -> None:
        self._connector = asyncio.create_task(self._connect_and_start(), name="bus-connect")

    async def _connect_and_start(self) -> None:
        bus = await connect(self.settings.nats_servers, name=self.settings.service_name)
        self.bus = bus
        while True:
            try:
                await ensure_streams(bus.js, replicas=self._stream_replicas)
                break
            except Exception as exc:  # JetStream may still be starting; keep trying
                logger.warning("cannot ensure streams yet: %s", exc)
                await asyncio.sleep(1.0)
        for factory in self._factories:
            worker = factory(bus)
            self._workers.append(worker)
            self._tasks.append(asyncio.create_task(self._supervise(worker)))
        self.ready.set()
        logger.info("connected to NATS; %d worker(s) running", len(self._workers))

    async def _supervise(self, worker: Worker) -> None:
        try:
            await worker.run()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("worker %s stopped with an error", type(worker).__name__)

    async def stop(self) -> None:
        if self._connector is not None and not self._connector.done():
            self._connector.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._connector
        await asyncio.gather(*(w.stop() for w in self._workers), return_exceptions=True)
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=30)
            for task in pending:
                task.cancel()
        if self.bus is not None:
            await self.bus.close()
        if self.db is not None:
            self.db.dispose()

    # -- health -----------------------------------------------------------------------------------

    async def check_database(self) -> None:
        if self.db is None:
            raise RuntimeError("no database")
        await asyncio.to_thread(self.db.check)

    async def check_bus(self) -> None:
        if self.bus is None:
            raise RuntimeError("not connected to NATS yet")
        if not self.bus.is_connected:
            raise RuntimeError("NATS connection lost; reconnecting")
        await self.bus.nc.flush(timeout=2)
