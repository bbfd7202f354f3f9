"""resolver test fixtures: a resolver running for real (consumers, request-reply, outbox relay)
on a nats-server of its own and a fresh database (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from resolver_helpers import Resolver, resolver_settings, start_resolver

from crm_common.bus.connection import Bus
from crm_common.natsd import NatsServer


@pytest.fixture
async def resolver(
    tmp_path: Path, database_url: str, nats_server: NatsServer, bus: Bus
) -> AsyncIterator[Resolver]:
    running = await start_resolver(resolver_settings(tmp_path, database_url, nats_server.url), bus)
    try:
        yield running
    finally:
        await running.runtime.stop()
