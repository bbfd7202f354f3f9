"""crm-api's auth cost: authenticated GET throughput and latency, JWT and API key, beside an
unauthenticated route in the same run; and login latency at the production argon2id cost.

crm-api runs for real (uvicorn, one process, SQLite, the embedded nats-server); the load comes
from this process over loopback with a fixed number of requests in flight.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx

from bench.common import percentile, save
from crm_common.natsd import NatsServer, free_port, wait_for_port

PASSWORD = "amber-harbor-lantern-quiet-7"
CONCURRENCY = 16


def start_crm_api(data_dir: Path, nats_url: str, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DATA_DIR": str(data_dir),
        "NATS_URL": nats_url,
        "CRM_API_PORT": str(port),
        "CRM_API_RATE_LIMIT_READ": "10000000/minute",
        "CRM_API_RATE_LIMIT_WRITE": "10000000/minute",
        "CRM_API_RATE_LIMIT_LOGIN": "10000000/minute",
        "LOG_LEVEL": "WARNING",
    }
    log = (data_dir / "crm-api.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "crm_api", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    wait_for_port("127.0.0.1", port, timeout=60)
    return process


async def load(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], total: int
) -> dict[str, float]:
    latencies: list[float] = []
    next_index = 0

    async def worker() -> None:
        nonlocal next_index
        while next_index < total:
            next_index += 1
            started = time.perf_counter()
            response = await client.get(path, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}: {response.text}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    return {
        "requests_per_s": round(total / elapsed),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
    }


async def run(*, quick: bool = False) -> dict[str, Any]:
    total = 500 if quick else 3000
    logins = 10 if quick else 30
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        nats = NatsServer(root / "nats").start()
        port = free_port()
        process = start_crm_api(root, nats.url, port)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                await client.post(
                    "/api/auth/register", json={"username": "bench", "password": PASSWORD}
                )
                login_ms = []
                token = ""
                for _ in range(logins):
                    started = time.perf_counter()
                    response = await client.post(
                        "/api/auth/login", json={"username": "bench", "password": PASSWORD}
                    )
                    login_ms.append((time.perf_counter() - started) * 1000)
                    token = response.json()["access_token"]
                jwt_headers = {"Authorization": f"Bearer {token}"}
                key = (
                    await client.post(
                        "/api/api-keys",
                        json={"name": "bench", "scopes": ["read"]},
                        headers=jwt_headers,
                    )
                ).json()["key"]
                key_headers = {"X-API-Key": key}
                for path, headers in (
                    ("/api/health", {}),
                    ("/api/auth/me", jwt_headers),
                    ("/api/auth/me", key_headers),
                ):
                    await load(client, path, headers, 100)  # warm-up
                health = await load(client, "/api/health", {}, total)
                public = await load(client, "/api/bootstrap/status", {}, total)
                jwt_figures = await load(client, "/api/auth/me", jwt_headers, total)
                key_figures = await load(client, "/api/auth/me", key_headers, total)
        finally:
            process.terminate()
            process.wait(timeout=30)
            nats.stop()
    figures = {
        "unauthenticated_health": health,
        "unauthenticated_bootstrap_status": public,
        "jwt_get_me": jwt_figures,
        "api_key_get_me": key_figures,
        "ratio_jwt_over_health_rps": round(
            jwt_figures["requests_per_s"] / health["requests_per_s"], 3
        ),
        "ratio_api_key_over_health_rps": round(
            key_figures["requests_per_s"] / health["requests_per_s"], 3
        ),
        "login_ms_p50": round(percentile(login_ms, 50), 1),
        "login_ms_p99": round(percentile(login_ms, 99), 1),
        "argon2id": "m=47104 KiB (46 MiB), t=1, p=1 (the production default)",
        "requests_per_measure": total,
        "concurrency": CONCURRENCY,
    }
    saved = save("auth", figures)
    print("auth: authenticated GET vs unauthenticated, and login")
    for name, value in figures.items():
        print(f"  {name}: {value}")
    print(f"  (saved to {saved})")
    return figures
