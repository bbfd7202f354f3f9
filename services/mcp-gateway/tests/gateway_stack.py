"""The whole system for the gateway's end-to-end tests and its benchmark: a nats-server,
crm-api, resolver, ingest (the offline minilm embedder) and mcp-gateway, each its own process
on a free port, all on one DATA_DIR; and MCP clients over stdio and streamable HTTP."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import httpx2 as httpx
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from crm_common.natsd import NatsServer, free_port
from crm_common.testing import eventually

T = TypeVar("T")

ADMIN_PASSWORD = "plum-harbor-quiet-lantern-7"
SECRET = "g" * 48
_ENV_PREFIX = {"crm_api": "CRM_API_", "crm_resolver": "RESOLVER_", "crm_ingest": "INGEST_"}


def _healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> bool:
    if process.poll() is not None:  # at once: no wait brings it back
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        raise RuntimeError(f"{url} exited with {process.returncode}; its log ends:\n{tail}")
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class Stack:
    data_dir: Path
    nats_url: str
    crm_url: str
    gateway_url: str
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    admin_token: str = ""

    def api(
        self, method: str, path: str, *, key: str | None = None, token: str | None = None, **kw: Any
    ) -> httpx.Response:
        headers = dict(kw.pop("headers", {}))
        if key:
            headers["X-API-Key"] = key
        elif token or self.admin_token:
            headers["Authorization"] = f"Bearer {token or self.admin_token}"
        return httpx.request(method, self.crm_url + path, headers=headers, timeout=30, **kw)

    def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.api("POST", path, json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def create_key(self, scopes: list[str]) -> dict[str, Any]:
        return self.create("/api/api-keys", {"name": f"agent-{'-'.join(scopes)}", "scopes": scopes})

    @property
    def mcp_url(self) -> str:
        return self.gateway_url + "/mcp"

    def stdio_client(self, key: str, **settings: str) -> Client:
        """`mcp-gateway stdio` as a child process; `settings` are more MCP_GATEWAY_* values."""
        env = (
            os.environ
            | {f"MCP_GATEWAY_{k.upper()}": v for k, v in settings.items()}
            | {
                "MCP_GATEWAY_API_KEY": key,
                "MCP_GATEWAY_CRM_API_URL": self.crm_url,
                "DATA_DIR": str(self.data_dir),
                "NATS_URL": self.nats_url,
                "LOG_LEVEL": "WARNING",
            }
        )
        params = StdioServerParameters(
            command=sys.executable, args=["-m", "mcp_gateway", "stdio"], env=env
        )
        return Client(params, read_timeout_seconds=60)

    def http_client(self, key: str) -> Client:
        return Client(http_transport(self.mcp_url, key), read_timeout_seconds=60)


@asynccontextmanager
async def http_transport(url: str, key: str) -> AsyncIterator[Any]:
    """Streamable HTTP with the key on every request (the SDK leaves a client it was given
    open, so this one is closed here)."""
    async with (
        httpx.AsyncClient(headers={"X-API-Key": key}, timeout=60) as client,
        streamable_http_client(url, http_client=client) as streams,
    ):
        yield streams


def wait_until(
    probe: Callable[[], T | None], *, what: str, within: float = 30.0, interval: float = 0.2
) -> T:
    """`crm_common.testing.eventually` from sync code, even where this thread already runs an
    event loop (Playwright's sync API does): on a thread of its own. The probe must not touch
    objects bound to this thread (a Playwright page)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        waiting = eventually(probe, what=what, within=within, interval=interval)
        found = pool.submit(asyncio.run, waiting).result()
    assert found is not None  # eventually returns only a truthy answer
    return found


def _spawn(module: str, env: dict[str, str], data_dir: Path) -> subprocess.Popen[bytes]:
    with (data_dir / f"{module}.log").open("ab") as log:
        # The child holds its own copy of the descriptor; ours closes here.
        return subprocess.Popen(
            [sys.executable, "-m", module, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
        )


@contextmanager
def running_stack(
    data_dir: Path,
    *,
    with_search: bool = True,
    with_gateway: bool = True,
    gateway_settings: dict[str, str] | None = None,
    database_urls: dict[str, str] | None = None,
    crm_settings: dict[str, str] | None = None,
    register_admin: bool = True,
) -> Iterator[Stack]:
    """Every service, healthy; an admin signed in (`stack.admin_token`). Without search, no
    ingest; without the gateway, no `mcp-gateway serve` (a test serves the gateway itself).
    `gateway_settings` are more MCP_GATEWAY_* values for the HTTP gateway; `crm_settings`, more
    CRM_API_* values; `database_urls`, per module (`crm_api`, `crm_resolver`), a database other
    than the SQLite file in DATA_DIR. Without `register_admin` the CRM is left empty (first run)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    nats = NatsServer(data_dir / "nats").start()
    ports = {name: free_port() for name in ("crm", "resolver", "ingest", "gateway")}
    base = os.environ | {"DATA_DIR": str(data_dir), "NATS_URL": nats.url, "LOG_LEVEL": "WARNING"}
    crm_url = f"http://127.0.0.1:{ports['crm']}"
    stack = Stack(
        data_dir=data_dir,
        nats_url=nats.url,
        crm_url=crm_url,
        gateway_url=f"http://127.0.0.1:{ports['gateway']}",
    )
    envs = {
        "crm_api": base
        | {
            "CRM_API_PORT": str(ports["crm"]),
            "CRM_API_SECRET_KEY": SECRET,
            "CRM_API_ARGON2_MEMORY_KIB": "19456",
            "CRM_API_ARGON2_TIME_COST": "2",
            "CRM_API_OUTBOX_POLL_INTERVAL": "0.2",
            "CRM_API_RATE_LIMIT_READ": "100000/minute",
            "CRM_API_RATE_LIMIT_WRITE": "100000/minute",
        }
        | {f"CRM_API_{k.upper()}": v for k, v in (crm_settings or {}).items()},
        "crm_resolver": base | {"RESOLVER_PORT": str(ports["resolver"])},
    }
    if with_gateway:
        envs["mcp_gateway"] = (
            base
            | {f"MCP_GATEWAY_{k.upper()}": v for k, v in (gateway_settings or {}).items()}
            | {"MCP_GATEWAY_PORT": str(ports["gateway"]), "MCP_GATEWAY_CRM_API_URL": crm_url}
        )
    if with_search:
        envs["crm_ingest"] = base | {
            "INGEST_PORT": str(ports["ingest"]),
            "INGEST_MODEL": "minilm",
            "INGEST_TORCH_THREADS": "1",
        }
    for module, url in (database_urls or {}).items():
        envs[module][f"{_ENV_PREFIX[module]}DATABASE_URL"] = url
    health = {
        "crm_api": f"{crm_url}/api/health",
        "crm_resolver": f"http://127.0.0.1:{ports['resolver']}/health",
        "crm_ingest": f"http://127.0.0.1:{ports['ingest']}/health",
        "mcp_gateway": f"{stack.gateway_url}/health",
    }
    try:
        # crm-api first: it migrates its database and creates the streams the others consume.
        stack.processes["crm_api"] = _spawn("crm_api", envs.pop("crm_api"), data_dir)
        proc = stack.processes["crm_api"]
        crm_log = data_dir / "crm_api.log"
        healthy = partial(_healthy, health["crm_api"], proc, crm_log)
        wait_until(healthy, what="crm-api healthy", within=90)
        for module, env in envs.items():
            stack.processes[module] = _spawn(module, env, data_dir)
        for module, process in stack.processes.items():
            url = health[module]
            log = data_dir / f"{module}.log"
            healthy = partial(_healthy, url, process, log)
            wait_until(healthy, what=f"{module} healthy", within=120)
        if not register_admin:
            yield stack
            return
        register = stack.api(
            "POST", "/api/auth/register", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        assert register.status_code == 201, register.text
        login = stack.api(
            "POST", "/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        stack.admin_token = login.json()["access_token"]
        yield stack
    finally:
        for process in stack.processes.values():
            process.terminate()
        for process in stack.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        nats.stop()
