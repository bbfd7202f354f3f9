"""A NATS connection that waits for the server at startup and reports reconnects."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import nats
from nats.aio.client import Client
from nats.errors import NoServersError
from nats.js import JetStreamContext

logger = logging.getLogger(__name__)

ReconnectListener = Callable[[], Awaitable[None]]


class Bus:
    """One NATS connection and its JetStream context, shared by a service's components."""

    def __init__(self, nc: Client, *, api_timeout: float = 5.0) -> None:
        self.nc = nc
        # How long a JetStream call (a publish's ack included) may take: the server fsyncs every
        # write, so a busy disk can hold an ack for seconds.
        self.js: JetStreamContext = nc.jetstream(timeout=api_timeout)
        self._reconnect_listeners: list[ReconnectListener] = []

    def on_reconnect(self, listener: ReconnectListener) -> None:
        """Call `listener` after each reconnect: a restarted server may have lost recent writes."""
        self._reconnect_listeners.append(listener)

    async def _reconnected(self) -> None:
        logger.info("nats reconnected", extra={"server": str(self.nc.connected_url)})
        for listener in list(self._reconnect_listeners):
            try:
                await listener()
            except Exception:
                logger.exception("reconnect listener failed")

    @property
    def is_connected(self) -> bool:
        return bool(self.nc.is_connected)

    async def close(self) -> None:
        """Drain the connection (in-flight messages are delivered), or close it if it is down."""
        if self.nc.is_closed:
            return
        if self.nc.is_connecting or self.nc.is_reconnecting:
            await self._close_now()
            return
        try:
            await self.nc.drain()
        except (nats.errors.ConnectionReconnectingError, OSError):
            # OSError: the server went away while the drain unsubscribed.
            await self._close_now()
        except (nats.errors.ConnectionClosedError, nats.errors.ConnectionDrainingError):
            pass

    async def _close_now(self) -> None:
        # A client whose server is gone may fail to flush its subscriptions' unsubscribes on the
        # way out (a service with subscriptions, stopped while NATS is down): it is closed anyway.
        with contextlib.suppress(OSError):
            await self.nc.close()


async def connect(
    servers: list[str],
    *,
    name: str,
    wait: float | None = None,
    api_timeout: float = 5.0,
) -> Bus:
    """Connect to NATS, retrying until the server answers or `wait` seconds have passed.

    Once connected, the client reconnects forever. `api_timeout` bounds each JetStream call.

    Raises:
        TimeoutError: no server answered within `wait` seconds.
    """
    bus: Bus | None = None

    async def reconnected() -> None:
        if bus is not None:
            await bus._reconnected()

    async def disconnected() -> None:
        logger.warning("nats disconnected")

    last_warned = 0.0

    async def error(exc: Exception) -> None:
        # The client retries every 250 ms while the server is away: warn twice a minute at most.
        nonlocal last_warned
        now = asyncio.get_running_loop().time()
        if now - last_warned >= 30:
            last_warned = now
            logger.warning("nats error: %s (retrying)", exc)
        else:
            logger.debug("nats error: %s", exc)

    loop = asyncio.get_running_loop()
    deadline = None if wait is None else loop.time() + wait
    delay = 0.1
    while True:
        try:
            nc = await nats.connect(
                servers,
                name=name,
                allow_reconnect=True,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.25,
                connect_timeout=2,
                reconnected_cb=reconnected,
                disconnected_cb=disconnected,
                error_cb=error,
            )
            bus = Bus(nc, api_timeout=api_timeout)
            return bus
        except (OSError, NoServersError, TimeoutError, nats.errors.Error) as exc:
            if deadline is not None and loop.time() + delay > deadline:
                raise TimeoutError(f"no NATS server answered at {servers}") from exc
            logger.info("waiting for NATS at %s: %s", servers, exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
