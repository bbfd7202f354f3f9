"""Real crm-api instances for the live feed's tests: `python -m crm_api serve` in subprocesses on
free ports, sharing one database and one nats-server, as replicas would."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx

from crm_common.natsd import free_port
from crm_common.testing import eventually

SECRET = "s" * 48


def instance_env(data_dir: Path, database_url: str, nats_url: str, port: int) -> dict[str, str]:
    return os.environ | {
        "DATA_DIR": str(data_dir),
        "CRM_API_DATABASE_URL": database_url,
        "CRM_API_PORT": str(port),
        "CRM_API_SECRET_KEY": SECRET,
        "CRM_API_ARGON2_MEMORY_KIB": "19456",
        "CRM_API_ARGON2_TIME_COST": "2",
        "CRM_API_GRID_PRESENCE_TTL": "2",
        "CRM_API_OUTBOX_POLL_INTERVAL": "0.2",
        "NATS_URL": nats_url,
        "LOG_LEVEL": "WARNING",
    }


@contextmanager
def instances(
    count: int, *, data_dir: Path, database_url: str, nats_url: str
) -> Iterator[list[str]]:
    """`count` crm-api servers; yields their base URLs once each is healthy (bus included)."""
    ports = [free_port() for _ in range(count)]
    processes: list[subprocess.Popen[bytes]] = []
    logs = []
    try:
        for index, port in enumerate(ports):
            log = (data_dir / f"crm-api-{index}.log").open("wb")
            logs.append(log)
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "crm_api", "serve"],
                    env=instance_env(data_dir, database_url, nats_url, port),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process in zip(urls, processes, strict=True):
            wait_healthy(url, process)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs:
            log.close()


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    def healthy() -> bool:
        if process.poll() is not None:  # at once: no wait brings it back
            raise RuntimeError(f"crm-api at {url} exited with {process.returncode}")
        try:
            return httpx.get(f"{url}/api/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    asyncio.run(eventually(healthy, what=f"crm-api at {url} healthy", within=timeout, interval=0.1))


def call(method: str, url: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
    headers = dict(kwargs.pop("headers", {}))
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.request(method, url, headers=headers, timeout=30, **kwargs)
