"""`make up`'s script brings every service up on the embedded defaults, and Ctrl-C stops them.

The services run for real under honcho, with the embedded nats-server, on free ports and a
temporary DATA_DIR; a second start reuses the data.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
import nats
import pytest

from crm_common.natsd import free_port
from crm_common.testing import eventually

ROOT = Path(__file__).resolve().parents[1]
SERVICES = {
    "CRM_API": "/api/health",
    "MCP_GATEWAY": "/health",
    "GMAIL_SYNC": "/health",
    "RESOLVER": "/health",
    "INGEST": "/health",
}

pytestmark = pytest.mark.slow


@contextmanager
def stack(data_dir: Path, ports: dict[str, int]) -> Iterator[subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if k != "NATS_URL"}
    env["DATA_DIR"] = str(data_dir)
    for name, port in ports.items():
        env[f"{name}_PORT"] = str(port)
    log = (data_dir.parent / f"up-{time.monotonic_ns()}.log").open("wb")
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "up.sh")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def wait_all_healthy(ports: dict[str, int], process: subprocess.Popen[bytes]) -> None:
    pending = dict(SERVICES)

    def all_healthy() -> bool:
        if process.poll() is not None:
            pytest.fail("make up exited early")  # at once: no wait can bring it back
        for name, path in list(pending.items()):
            try:
                response = httpx.get(f"http://127.0.0.1:{ports[name]}{path}", timeout=2)
            except httpx.TransportError:
                continue
            if response.status_code == 200:
                body = response.json()
                assert body["checks"]["bus"]["ok"] is True
                del pending[name]
        assert not pending, f"not healthy: {sorted(pending)}"
        return True

    asyncio.run(eventually(all_healthy, what="every service healthy", within=120, interval=0.2))


async def crm_stream_messages(nats_url: str, publish: bool) -> int:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        if publish:
            await js.publish("crm.contact.created", b"{}", headers={"Nats-Msg-Id": "up-test"})
        info = await js.stream_info("CRM")
        return int(info.state.messages)
    finally:
        await nc.close()


def test_up_starts_every_service_and_a_second_start_reuses_the_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ports = {name: free_port() for name in SERVICES} | {"NATS": free_port()}
    nats_url = f"nats://127.0.0.1:{ports['NATS']}"

    with stack(data_dir, ports) as process:
        wait_all_healthy(ports, process)
        assert asyncio.run(crm_stream_messages(nats_url, publish=True)) == 1
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=30) is not None
    for name in ("crm-api", "gmail-sync", "resolver", "ingest"):
        assert (data_dir / f"{name}.db").exists()

    with stack(data_dir, ports) as process:
        wait_all_healthy(ports, process)
        assert asyncio.run(crm_stream_messages(nats_url, publish=False)) == 1
