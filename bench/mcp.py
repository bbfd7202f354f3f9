"""The MCP gateway's tool-call latency on demo data, beside crm-api answering the same request.

The whole system runs for real (nats-server, crm-api, resolver, ingest with the offline minilm
embedder, mcp-gateway on streamable HTTP), each its own process. `crm-api demo` loads a small
synthetic CRM (default 150 organizations, 600 contacts, 3,000 communications; `--quick` a third
of that), the bench waits until ingest has indexed it all, then, one call in flight at a time:
- `search` (hybrid), `lp_dossier` (by contact) and `who_knows` (by entity; `via=0`, so one
  resolver request like the direct one) through the real mcp client: p50/p99 in ms;
- the same request straight to crm-api with the same key (`GET /api/search`,
  `GET /api/contacts/{id}`, `GET /api/resolver/entities/{id}/neighbors`): p50/p99.
The difference is the gateway's cost: MCP framing, the key check (cached), shaping and quoting,
and one interaction-log append per call, whose own latency (`POST /api/interactions`) is
measured last.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx2 as httpx

from bench.common import percentile, save
from crm_common.bus.connection import connect
from crm_common.contracts.search import IngestStatus
from crm_common.testing import search_caught_up

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services/mcp-gateway/tests"))
from gateway_stack import Stack, running_stack

QUERIES = [
    "capital call side letter",
    "follow up on the data room",
    "quarterly report questions",
    "fund terms management fee",
    "intro meeting family office",
    "commitment timing next close",
    "co-investment rights",
    "wire instructions",
]


async def _wait_indexed(stack: Stack, seconds: float = 900.0) -> IngestStatus:
    bus = await connect([stack.nats_url], name="bench-mcp", wait=10)
    try:
        return await search_caught_up(bus, within=seconds)
    finally:
        await bus.nc.close()


def _load_demo(stack: Stack, *, organizations: int, contacts: int, communications: int) -> None:
    env = os.environ | {
        "DATA_DIR": str(stack.data_dir),
        "NATS_URL": stack.nats_url,
        "CRM_API_SECRET_KEY": "g" * 48,
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "crm_api",
            "demo",
            f"--organizations={organizations}",
            f"--contacts={contacts}",
            f"--communications={communications}",
            "--funds=4",
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


async def _timed(fn: Callable[[], Awaitable[Any]], rounds: int) -> list[float]:
    await fn()  # warm: connection pools, caches
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _figures(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(samples, 50), 2),
        "p99_ms": round(percentile(samples, 99), 2),
    }


async def _measure(stack: Stack, key: str, rounds: int) -> dict[str, Any]:
    rng = random.Random(7)
    contacts = stack.api("GET", "/api/contacts", params={"limit": 40}).json()["items"]
    contact_ids = [c["id"] for c in contacts]
    entity_ids = []
    for contact_id in contact_ids:
        found = stack.api("GET", f"/api/resolver/records/contact/{contact_id}")
        if found.status_code == 200:
            entity_ids.append(found.json()["entity"]["id"])
    if not entity_ids:
        raise SystemExit("the resolver linked none of the sampled contacts")

    results: dict[str, Any] = {}
    headers = {"X-API-Key": key}
    async with (
        httpx.AsyncClient(base_url=stack.crm_url, headers=headers, timeout=60) as direct,
        stack.http_client(key) as client,
    ):

        async def tool(name: str, arguments: dict[str, Any]) -> None:
            result = await client.call_tool(name, arguments)
            if getattr(result, "is_error", False):
                raise SystemExit(f"{name} failed: {result}")

        async def get(path: str, **params: Any) -> None:
            response = await direct.get(path, params=params)
            response.raise_for_status()

        cases: dict[str, tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[Any]]]] = {
            "search": (
                lambda: tool("search", {"query": rng.choice(QUERIES), "limit": 10}),
                lambda: get("/api/search", q=rng.choice(QUERIES), top_k=10),
            ),
            "lp_dossier": (
                lambda: tool("lp_dossier", {"contact_id": rng.choice(contact_ids)}),
                lambda: get(f"/api/contacts/{rng.choice(contact_ids)}"),
            ),
            "who_knows": (
                lambda: tool(
                    "who_knows", {"entity_id": rng.choice(entity_ids), "limit": 10, "via": 0}
                ),
                lambda: get(
                    f"/api/resolver/entities/{rng.choice(entity_ids)}/neighbors",
                    limit=10,
                    evidence_per_neighbor=3,
                ),
            ),
        }

        async def append() -> None:
            response = await direct.post(
                "/api/interactions",
                json={"action": "bench.append", "channel": "bench", "summary": "latency probe"},
            )
            response.raise_for_status()

        for name, (through_gateway, straight) in cases.items():
            gateway = await _timed(through_gateway, rounds)
            crm = await _timed(straight, rounds)
            results[name] = {"gateway": _figures(gateway), "crm_api": _figures(crm)}
            print(
                f"  {name:<11} gateway p50 {results[name]['gateway']['p50_ms']:7.1f} ms  "
                f"p99 {results[name]['gateway']['p99_ms']:7.1f} ms | crm-api p50 "
                f"{results[name]['crm_api']['p50_ms']:7.1f} ms  "
                f"p99 {results[name]['crm_api']['p99_ms']:7.1f} ms"
            )
        appends = await _timed(append, rounds)
        results["interaction_log_append"] = {"crm_api": _figures(appends)}
        print(
            f"  log append  (the gateway's one extra request per call) crm-api p50 "
            f"{results['interaction_log_append']['crm_api']['p50_ms']:7.1f} ms  "
            f"p99 {results['interaction_log_append']['crm_api']['p99_ms']:7.1f} ms"
        )
    return results


async def run(quick: bool = False) -> None:
    size = {"organizations": 150, "contacts": 600, "communications": 3_000}
    if quick:
        size = {k: v // 3 for k, v in size.items()}
    rounds = 30 if quick else 100
    print(f"mcp: demo CRM {size}, {rounds} calls per case, one in flight")
    with tempfile.TemporaryDirectory(prefix="bench-mcp-") as tmp:
        settings = {"default_rate_limit_per_minute": "100000"}
        # Started from a worker thread: the stack waits for its services with asyncio.run.
        starting = running_stack(Path(tmp), gateway_settings=settings)
        stack = await asyncio.to_thread(starting.__enter__)
        try:
            started = time.perf_counter()
            await asyncio.to_thread(_load_demo, stack, **size)
            status = await _wait_indexed(stack)
            loaded = time.perf_counter() - started
            print(f"  loaded and indexed in {loaded:.0f} s ({status.points} points)")
            key = stack.create_key(["read", "write:logged"])["key"]
            figures = await _measure(stack, key, rounds)
        finally:
            await asyncio.to_thread(starting.__exit__, None, None, None)
    path = save(
        "mcp",
        {"size": size, "rounds": rounds, "points": status.points, "load_seconds": round(loaded)}
        | figures,
    )
    print(f"  -> {path}")
