"""Freshness: from a communication's `201` to search returning it, p50/p99.

crm-api and ingest run for real as their own processes (`crm-api serve`, `ingest serve` with
minilm and Qdrant Edge) on one nats-server. Each round logs a call carrying a word no other
record has, through crm-api's HTTP API, and from the `201` polls `search.query` (sparse, for that
word) every 5 ms until the call comes back. The path measured: crm-api's commit and outbox relay,
JetStream, ingest's consumer and ledger, the indexer embedding it and writing it to the store.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx

from bench.common import percentile, save
from crm_api.__main__ import DEFINITION
from crm_api.auth import service as auth
from crm_api.auth.principal import Role
from crm_api.auth.schemas import UserCreate
from crm_api.settings import Settings
from crm_common.bus.connection import connect
from crm_common.bus.service import call
from crm_common.cli import migrate
from crm_common.contracts.search import SearchRequest, SearchResponse
from crm_common.db import Database
from crm_common.natsd import NatsServer, free_port, wait_for_port
from crm_common.testing import eventually

PASSWORD = "quartz-meadow-signal-harbor-9"


@contextlib.contextmanager
def service(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


async def wait_healthy(url: str, seconds: float = 180) -> None:
    async with httpx.AsyncClient(timeout=2) as client:

        async def healthy() -> bool:
            try:
                return (await client.get(url)).status_code == 200
            except httpx.TransportError:
                return False

        await eventually(healthy, what=f"{url} healthy", within=seconds, interval=0.2)


async def run(quick: bool = False) -> None:
    rounds = 15 if quick else 60
    with tempfile.TemporaryDirectory(prefix="bench-fresh-") as tmp:
        data = Path(tmp)
        nats = NatsServer(data / "nats").start()
        crm_port, ingest_port = free_port(), free_port()
        env = os.environ | {
            "DATA_DIR": str(data),
            "NATS_URL": nats.url,
            "CRM_API_PORT": str(crm_port),
            "CRM_API_SECRET_KEY": "b" * 48,
            "CRM_API_RATE_LIMIT_READ": "100000000/minute",
            "CRM_API_RATE_LIMIT_WRITE": "100000000/minute",
            "INGEST_PORT": str(ingest_port),
        }
        settings = Settings(DATA_DIR=data, secret_key="b" * 48)
        migrate(DEFINITION, settings)
        db = Database(settings.database_url)
        with db.transaction() as session:
            auth.create_user(
                session,
                config=auth.AuthConfig.from_settings(settings),
                by=None,
                data=UserCreate(username="bench", password=PASSWORD, role=Role.ADMIN),
            )
        db.dispose()
        crm_cmd = [sys.executable, "-m", "crm_api", "serve"]
        ingest_cmd = [sys.executable, "-m", "crm_ingest", "serve"]
        with (
            service(crm_cmd, env, data / "crm-api.log"),
            service(ingest_cmd, env, data / "ingest.log"),
        ):
            wait_for_port("127.0.0.1", crm_port, timeout=120)
            await wait_healthy(f"http://127.0.0.1:{ingest_port}/health")
            bus = await connect([nats.url], name="bench", wait=10)
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{crm_port}", timeout=30
            ) as client:
                login = await client.post(
                    "/api/auth/login", json={"username": "bench", "password": PASSWORD}
                )
                client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
                person = await client.post(
                    "/api/contacts", json={"first_name": "Ada", "last_name": "Lovelace"}
                )
                contact_id = person.json()["id"]
                delays = []
                for n in range(rounds):
                    word = f"freshword{n:04d}q"
                    created = await client.post(
                        "/api/communications",
                        json={
                            "type": "call",
                            "subject": "Quarterly check-in",
                            "body": f"Talked through reserves and the {word} follow-up.",
                            "occurred_at": "2026-11-02T09:30:00Z",
                            "contact_id": contact_id,
                        },
                    )
                    assert created.status_code == 201, created.text
                    started = time.perf_counter()
                    request = SearchRequest(query=word, mode="sparse", top_k=1)

                    async def found(request: SearchRequest = request) -> bool:
                        answer = await call(bus.nc, "search.query", request, SearchResponse)
                        return bool(answer.hits)

                    await eventually(found, what=f"a hit for {word}", interval=0.005)
                    delays.append(time.perf_counter() - started)
            await bus.close()
        nats.stop()
    figures = {
        "rounds": rounds,
        "p50_ms": round(1000 * percentile(delays, 50), 1),
        "p99_ms": round(1000 * percentile(delays, 99), 1),
        "max_ms": round(1000 * max(delays), 1),
        "min_ms": round(1000 * min(delays), 1),
    }
    print(
        f"freshness, 201 to searchable ({rounds} rounds): p50 {figures['p50_ms']} ms, "
        f"p99 {figures['p99_ms']} ms (min {figures['min_ms']}, max {figures['max_ms']})"
    )
    print(f"figures: {save('search-freshness', figures)}")
