"""The fundraising grid at size, and backups.

1. A grid of 5,000 investors by 12 funds (60,000 cells), bulk-loaded; crm-api run for real
   (uvicorn): the full view in one call (every row) and its first page (200 rows), p50/p99,
   beside the two raw SQL queries the pivot is built from (rows, cells), timed in this process.
2. Two crm-api instances on the same database and one nats-server, 20 WebSocket clients (10 on
   each): an edit's latency from sending the PATCH (to instance A) until a client on instance B
   receives its change, and until all 20 have, p50/p99.
3. The `make demo` database (crm_api.demo.service.DemoSize): a backup (SQLite online backup, with
   its verification) and a restore (pre-restore backup, restore, versions moved on, snapshot),
   beside a plain file copy of the same database in the same run. The restore includes its
   pre-restore backup; the snapshot that follows it (every record re-published, with the gate
   open again) is timed apart.

SQLite; PostgreSQL too for (1) and (3) when BENCH_POSTGRES_URL or TEST_POSTGRES_URL is set.
`--quick` runs 1,000 investors and fewer rounds.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2 as httpx
from sqlalchemy import insert, text
from websockets.asyncio.client import ClientConnection, connect

from bench.common import percentile, save
from crm_api.__main__ import DEFINITION
from crm_api.auth import service as auth
from crm_api.auth.principal import SYSTEM, Role
from crm_api.auth.schemas import UserCreate
from crm_api.backups import restore
from crm_api.backups import service as backups
from crm_api.backups.store import Store
from crm_api.demo.service import DemoSize, generate
from crm_api.funds.models import Fund
from crm_api.grid.models import GridRow
from crm_api.opportunities.models import Opportunity
from crm_api.organizations.models import Organization
from crm_api.settings import Settings
from crm_common.cli import migrate
from crm_common.db import Database
from crm_common.ids import new_id_str
from crm_common.natsd import NatsServer, free_port
from crm_common.testing import create_postgres_database, drop_postgres_database, postgres_admin_url

PASSWORD = "quartz-meadow-signal-harbor-9"
STAGES = ["lead", "contacted", "meeting", "due_diligence", "soft_commit", "committed"]
BATCH = 5_000


def _stamp(now: datetime) -> dict[str, Any]:
    return {
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "created_by": "bench",
        "updated_by": "bench",
        "deleted_at": None,
        "deleted_by": None,
    }


def _write(db: Database, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        with db.transaction() as session:
            session.execute(insert(model.__table__), rows[start : start + BATCH])


def load_grid(db: Database, investors: int, funds: int) -> dict[str, Any]:
    """Organizations, funds, a grid row per organization, and an opportunity in every cell."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    fund_ids = [new_id_str() for _ in range(funds)]
    _write(
        db,
        Fund,
        [
            _stamp(now)
            | {
                "id": fid,
                "name": f"Fund {i + 1}",
                "name_key": f"fund {i + 1}",
                "vintage": 2015 + i,
                "target_size": None,
                "currency": "USD",
                "status": "raising",
                "position": i,
            }
            for i, fid in enumerate(fund_ids)
        ],
    )
    org_ids = [new_id_str() for _ in range(investors)]
    _write(
        db,
        Organization,
        [
            _stamp(now)
            | {
                "id": oid,
                "name": f"Investor {i:05d}",
                "type": "family_office",
                "website": None,
                "description": "",
                "custom_fields": {},
            }
            for i, oid in enumerate(org_ids)
        ],
    )
    _write(
        db,
        GridRow,
        [
            _stamp(now)
            | {
                "id": new_id_str(),
                "investor_kind": "organization",
                "organization_id": oid,
                "contact_id": None,
                "position": float(i * 1024),
                "flags": ["follow_up"] if i % 7 == 0 else [],
                "lead_source": rng.choice(["Referral", "Conference", None]),
                "values": {},
            }
            for i, oid in enumerate(org_ids)
        ],
    )
    opportunities = []
    for oid in org_ids:
        for fid in fund_ids:
            amount = Decimal(rng.randrange(1, 400)) * Decimal("25000.00")
            opportunities.append(
                _stamp(now)
                | {
                    "id": new_id_str(),
                    "investor_organization_id": oid,
                    "investor_contact_id": None,
                    "fund_id": fid,
                    "stage": rng.choice(STAGES),
                    "expected_amount": amount,
                    "committed_amount": amount,
                    "funded_amount": None,
                    "currency": "USD",
                    "owner_id": None,
                    "next_step": "",
                    "lost_reason": None,
                    "close_date": None,
                    "description": "",
                    "custom_fields": {},
                }
            )
    _write(db, Opportunity, opportunities)
    return {"investors": investors, "funds": funds, "cells": len(opportunities)}


def server_env(data_dir: Path, url: str, port: int, nats_url: str) -> dict[str, str]:
    return os.environ | {
        "DATA_DIR": str(data_dir),
        "CRM_API_DATABASE_URL": url,
        "CRM_API_PORT": str(port),
        "CRM_API_SECRET_KEY": "b" * 48,
        "NATS_URL": nats_url,
        "CRM_API_RATE_LIMIT_READ": "100000000/minute",
        "CRM_API_RATE_LIMIT_WRITE": "100000000/minute",
        "CRM_API_RATE_LIMIT_LOGIN": "100000000/minute",
        "CRM_API_OUTBOX_POLL_INTERVAL": "0.5",
        "LOG_LEVEL": "WARNING",
    }


def start(stack: ExitStack, data_dir: Path, url: str, nats_url: str, name: str) -> str:
    port = free_port()
    log = stack.enter_context((data_dir / f"{name}.log").open("wb"))
    process = subprocess.Popen(
        [sys.executable, "-m", "crm_api", "serve"],
        env=server_env(data_dir, url, port, nats_url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def stop() -> None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()

    stack.callback(stop)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return base
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not come up; see {data_dir / name}.log")
        time.sleep(0.2)


def create_admin(settings: Settings, db: Database) -> None:
    with db.transaction() as session:
        auth.create_user(
            session,
            config=auth.AuthConfig.from_settings(settings),
            by=None,
            data=UserCreate(username="bench", password=PASSWORD, role=Role.ADMIN),
        )


def sign_in(base: str) -> str:
    response = httpx.post(
        f"{base}/api/auth/login", json={"username": "bench", "password": PASSWORD}, timeout=30
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def raw_pivot_ms(db: Database, rounds: int) -> float:
    rows_sql = text(
        "SELECT r.id, r.version, r.investor_kind, r.organization_id, o.name, r.position, r.flags, "
        'r.lead_source, r."values" FROM grid_row r JOIN organization o ON o.id = r.organization_id '
        "WHERE r.deleted_at IS NULL AND o.deleted_at IS NULL"
    )
    cells_sql = text(
        "SELECT r.id, p.fund_id, p.id, p.version, p.stage, p.currency, "
        "CAST(ROUND(p.expected_amount * 100) AS BIGINT), "
        "CAST(ROUND(p.committed_amount * 100) AS BIGINT) FROM opportunity p "
        "JOIN grid_row r ON r.organization_id = p.investor_organization_id "
        "WHERE p.deleted_at IS NULL"
    )
    started = time.perf_counter()
    with db.engine.connect() as conn:
        for _ in range(rounds):
            conn.execute(rows_sql).fetchall()
            conn.execute(cells_sql).fetchall()
    return (time.perf_counter() - started) * 1000 / rounds


def view_load(base: str, token: str, rounds: int, limit: int) -> dict[str, float]:
    latencies = []
    size = 0
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        for _ in range(rounds):
            started = time.perf_counter()
            response = client.get(f"{base}/api/grid", params={"limit": limit, "notes": 0})
            latencies.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            size = len(response.content)
    return {
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "bytes": size,
    }


async def _open(base: str, token: str) -> ClientConnection:
    ws = await connect(base.replace("http://", "ws://") + "/api/grid/live", max_size=None)
    await ws.send(json.dumps({"type": "auth", "token": token}))
    await ws.send(json.dumps({"type": "subscribe"}))
    while json.loads(await ws.recv())["type"] != "state":
        pass
    return ws


async def edit_latency(a: str, b: str, token: str, edits: int, clients: int) -> dict[str, Any]:
    """PATCH through A; time until one client on B sees the change, and until all do."""
    # Even-numbered clients (the first, whose latency is reported on its own, among them) are
    # on B, the odd ones on A.
    sockets = [await _open(a if i % 2 else b, token) for i in range(clients)]
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
        page = (await http.get(f"{a}/api/grid", params={"limit": edits, "notes": 0})).json()
        fund_id = page["columns"][[c["kind"] for c in page["columns"]].index("fund")]["fund_id"]
        targets = [(r["id"], r["cells"][fund_id]) for r in page["rows"]]
        first: list[float] = []
        last: list[float] = []
        for index, (row_id, cell) in enumerate(targets):
            subject = cell["opportunity_id"]
            arrived: dict[int, float] = {}

            async def wait(
                i: int,
                ws: ClientConnection,
                started: float,
                subject: str = subject,
                arrived: dict[int, float] = arrived,
            ) -> None:
                while True:
                    message = json.loads(await ws.recv())
                    if message.get("type") == "change" and message["event"]["subject"] == subject:
                        arrived[i] = (time.perf_counter() - started) * 1000
                        return

            started = time.perf_counter()
            waiters = [asyncio.create_task(wait(i, ws, started)) for i, ws in enumerate(sockets)]
            response = await http.patch(
                f"{a}/api/grid/rows/{row_id}/cells/{fund_id}",
                json={"committed_amount": f"{index + 1}.00"},
                headers={"If-Match": f'"{cell["version"]}"'},
            )
            response.raise_for_status()
            await asyncio.wait_for(asyncio.gather(*waiters), 30)
            first.append(arrived[0])
            last.append(max(arrived.values()))
    for ws in sockets:
        await ws.close()
    return {
        "edits": edits,
        "clients": clients,
        "to_other_instance_client_p50_ms": round(percentile(first, 50), 2),
        "to_other_instance_client_p99_ms": round(percentile(first, 99), 2),
        "to_all_clients_p50_ms": round(percentile(last, 50), 2),
        "to_all_clients_p99_ms": round(percentile(last, 99), 2),
    }


def grid_figures(url: str, investors: int, rounds: int, with_live: bool) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        data_dir = Path(tmp)
        settings = Settings(DATA_DIR=data_dir, database_url=url, secret_key="b" * 48)
        migrate(DEFINITION, settings)
        db = Database(settings.database_url)
        create_admin(settings, db)
        started = time.perf_counter()
        figures["data"] = load_grid(db, investors, 12)
        figures["data"]["load_s"] = round(time.perf_counter() - started, 1)
        figures["raw_sql_rows_and_cells_ms"] = round(raw_pivot_ms(db, rounds), 1)
        nats = NatsServer(data_dir / "nats").start()
        stack.callback(nats.stop)
        a = start(stack, data_dir, settings.database_url, nats.url, "crm-api-a")
        token = sign_in(a)
        view_load(a, token, 2, investors)  # warm the caches
        figures["full_view_load"] = view_load(a, token, rounds, investors)
        figures["first_page_200"] = view_load(a, token, rounds, 200)
        figures["full_view_over_raw_sql"] = round(
            figures["full_view_load"]["p50_ms"] / figures["raw_sql_rows_and_cells_ms"], 1
        )
        if with_live:
            b = start(stack, data_dir, settings.database_url, nats.url, "crm-api-b")
            figures["cell_edit_to_websocket"] = asyncio.run(
                edit_latency(a, b, token, edits=min(200, investors), clients=20)
            )
        db.dispose()
    return figures


def backup_figures(url: str, rounds: int) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        settings = Settings(DATA_DIR=data_dir, database_url=url, secret_key="b" * 48)
        migrate(DEFINITION, settings)
        db = Database(settings.database_url)
        create_admin(settings, db)
        counts = generate(db, DemoSize()).counts
        figures["demo_rows"] = sum(counts.values())
        store = Store(settings.backups_path)
        copies, takes, restores, snapshots = [], [], [], []
        made = None
        for _ in range(rounds):
            if db.is_sqlite:
                source = Path(settings.database_url.removeprefix("sqlite:///"))
                started = time.perf_counter()
                shutil.copyfile(source, data_dir / "plain-copy.db")
                copies.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            made = backups.create(db, store, kind="manual", actor=SYSTEM)
            takes.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            result = restore.restore(
                db, store, backup_id=made.id, confirm=made.id, actor=SYSTEM, publish_snapshot=False
            )
            restores.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            restore.publish(db, result, actor=SYSTEM)
            snapshots.append((time.perf_counter() - started) * 1000)
        assert made is not None
        figures["backup_bytes"] = made.size
        figures["backup_ms_p50"] = round(percentile(takes, 50), 1)
        figures["restore_ms_p50"] = round(percentile(restores, 50), 1)
        figures["snapshot_after_restore_ms_p50"] = round(percentile(snapshots, 50), 1)
        if copies:
            copy = percentile(copies, 50)
            figures["plain_file_copy_ms_p50"] = round(copy, 1)
            figures["backup_over_copy"] = round(percentile(takes, 50) / copy, 1)
            figures["restore_over_copy"] = round(percentile(restores, 50) / copy, 1)
        db.dispose()
    return figures


async def run(quick: bool = False) -> None:
    investors = 1_000 if quick else 5_000
    rounds = 10 if quick else 40
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = {
            "grid": await asyncio.to_thread(
                grid_figures, f"sqlite:///{tmp}/grid.db", investors, rounds, True
            ),
            "backup": await asyncio.to_thread(
                backup_figures, f"sqlite:///{tmp}/demo.db", 2 if quick else 5
            ),
        }
    admin = os.environ.get("BENCH_POSTGRES_URL") or postgres_admin_url()
    if admin:
        admin = admin.replace("postgresql://", "postgresql+psycopg://", 1)
        for name, job in (
            ("grid", lambda url: grid_figures(url, investors, rounds, False)),
            ("backup", lambda url: backup_figures(url, 2 if quick else 3)),
        ):
            url = create_postgres_database(admin)
            try:
                results.setdefault("postgresql", {})[name] = await asyncio.to_thread(job, url)
            finally:
                drop_postgres_database(admin, url)
    print(json.dumps(results, indent=2))
    print(f"saved to {save('grid', results)}")
