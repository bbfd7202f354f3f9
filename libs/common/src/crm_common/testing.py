"""Pytest fixtures for tests against real infrastructure (loaded by the root conftest.py).

- `nats_server`: a nats-server with JetStream on a free port and a temporary store.
- `bus`: a connected `Bus` on it.
- `database_url`: a fresh, empty database; every test that asks for it runs on SQLite, and on
  PostgreSQL too when TEST_POSTGRES_URL is set (a new database per test on that server).
- `db`: a `Database` on `database_url` with the common tables migrated.

And the waits tests share: `eventually` (poll a probe until it holds), `search_caught_up` (ask
ingest's `search.status` until it has caught up) and `poll_health`.
"""

from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar, overload

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from crm_common import migrations
from crm_common.bus.connection import Bus, connect
from crm_common.bus.service import call
from crm_common.contracts.search import SEARCH_STATUS, IngestStatus, StatusRequest
from crm_common.db import Database
from crm_common.ids import new_id
from crm_common.natsd import NatsServer

POSTGRES_ENV = "TEST_POSTGRES_URL"

T = TypeVar("T")


def postgres_admin_url() -> str | None:
    raw = os.environ.get(POSTGRES_ENV)
    if not raw:
        return None
    if raw.startswith("postgresql://"):
        raw = "postgresql+psycopg://" + raw.removeprefix("postgresql://")
    return raw


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if postgres_admin_url() else ["sqlite"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", backends(), indirect=True)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path / "nats").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def bus(nats_server: NatsServer) -> AsyncIterator[Bus]:
    # A test's publish waits out a CI disk that is slow to fsync (the default is 5 s).
    connected = await connect([nats_server.url], name="test", wait=10, api_timeout=30)
    try:
        yield connected
    finally:
        await connected.nc.close()


def create_postgres_database(admin_url: str) -> str:
    """Create an empty database on the server of `admin_url`; returns its URL."""
    name = f"t_{new_id().hex}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin_url: str, url: str) -> None:
    name = make_url(url).database
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    admin = postgres_admin_url()
    assert admin is not None
    url = create_postgres_database(admin)
    try:
        yield url
    finally:
        drop_postgres_database(admin, url)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    migrations.upgrade(database_url)
    database = Database(database_url)
    try:
        yield database
    finally:
        database.dispose()


@overload
async def eventually(
    probe: Callable[[], Awaitable[T]], *, what: str, within: float = ..., interval: float = ...
) -> T: ...


@overload
async def eventually(
    probe: Callable[[], T], *, what: str, within: float = ..., interval: float = ...
) -> T: ...


async def eventually(
    probe: Callable[[], Any], *, what: str, within: float = 30.0, interval: float = 0.05
) -> Any:
    """Call `probe` (sync or async) until it returns a truthy value, and return that value.

    A falsy answer (None, False, an empty list) or an AssertionError means not yet, so a probe
    may answer "the record, once it is there" or assert and then `return True`; any other
    exception fails at once. From synchronous code: `asyncio.run(eventually(...))`.

    Raises:
        AssertionError: it did not hold within `within` seconds; the message names `what` and
            the probe's last answer.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        try:
            result = probe()
            if inspect.isawaitable(result):
                result = await result
        except AssertionError as exc:
            last = f"failed: {exc}"
        else:
            if result:
                return result
            last = f"answered {result!r}"
        if loop.time() > deadline:
            raise AssertionError(f"{what}: not within {within:g}s; last {last}")
        await asyncio.sleep(interval)


async def search_caught_up(bus: Bus, *, within: float = 30.0) -> IngestStatus:
    """Ask ingest's `search.status` until it has caught up (`IngestStatus.caught_up`)."""

    async def probe() -> IngestStatus:
        status = await call(bus.nc, SEARCH_STATUS, StatusRequest(), IngestStatus, timeout=10)
        assert status.caught_up, status.model_dump_json()
        return status

    return await eventually(probe, what="ingest caught up", within=within)


def poll_health(client: Any, path: str, *, status: int, timeout: float = 15.0) -> dict[str, Any]:
    """GET `path` until it answers `status`; returns the body. Fails after `timeout` seconds."""

    def probe() -> dict[str, Any]:
        response = client.get(path)
        assert response.status_code == status, f"{response.status_code}: {response.text}"
        body: dict[str, Any] = response.json()
        return body

    return asyncio.run(eventually(probe, what=f"{path} answering {status}", within=timeout))


def check_health_follows_the_bus(
    app: Any, path: str, nats_server: NatsServer, *, has_database: bool = True
) -> None:
    """The health check says ok while database and bus answer, and 503 naming the bus when not."""
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        body = poll_health(client, path, status=200)
        assert body["status"] == "ok"
        expected = {"database", "bus"} if has_database else {"bus"}
        assert set(body["checks"]) == expected
        assert all(check["ok"] for check in body["checks"].values())

        nats_server.stop()
        body = poll_health(client, path, status=503)
        assert body["status"] == "degraded"
        assert body["checks"]["bus"]["ok"] is False
        if has_database:
            assert body["checks"]["database"]["ok"] is True

        metrics = client.get("/metrics")
        assert metrics.status_code == 200
        assert "crm_events_published_total" in metrics.text
