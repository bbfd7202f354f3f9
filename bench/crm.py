"""crm-api at size: 100,000 contacts, 20,000 organizations, 1,000,000 communications.

For each database (SQLite; PostgreSQL too when BENCH_POSTGRES_URL or TEST_POSTGRES_URL is set):
1. bulk-load the seeded synthetic CRM (crm_api.demo.service), rows/s;
2. run crm-api for real (uvicorn, one process) and measure, with 8 requests in flight: a contact
   list with filters, the same with a `q` text match, the contact dossier, and a create —
   p50/p99 and requests/s;
3. in-process, the dossier through the service layer beside the raw SQL of the same queries;
4. a CSV import of 100,000 contact rows checked in a dry run (in the request), then committed as
   a background job (row by row through the services, with version, audit and event each, in
   slices of 500 per transaction): rows/s and the server's peak memory.

`--quick` runs the same at a twentieth of the size.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx
from sqlalchemy import event

from bench.common import percentile, save
from crm_api.__main__ import DEFINITION
from crm_api.auth import service as auth
from crm_api.auth.principal import Role
from crm_api.auth.schemas import UserCreate
from crm_api.demo.service import DemoSize, generate
from crm_api.demo.words import FIRST, LAST
from crm_api.dossiers import service as dossiers
from crm_api.settings import Settings
from crm_common.cli import migrate
from crm_common.db import Database
from crm_common.natsd import free_port, wait_for_port
from crm_common.testing import create_postgres_database, drop_postgres_database, postgres_admin_url

PASSWORD = "quartz-meadow-signal-harbor-9"
CONCURRENCY = 8


def server_env(data_dir: Path, url: str, port: int) -> dict[str, str]:
    return os.environ | {
        "DATA_DIR": str(data_dir),
        "CRM_API_DATABASE_URL": url,
        "CRM_API_PORT": str(port),
        "CRM_API_SECRET_KEY": "b" * 48,
        "NATS_URL": f"nats://127.0.0.1:{free_port()}",  # nobody there: the API does not need it
        "CRM_API_RATE_LIMIT_READ": "100000000/minute",
        "CRM_API_RATE_LIMIT_WRITE": "100000000/minute",
        "CRM_API_RATE_LIMIT_LOGIN": "100000000/minute",
        "CRM_API_MAX_BODY_BYTES": str(64 * 1024 * 1024),
        "CRM_API_MAX_IMPORT_BYTES": str(64 * 1024 * 1024),
        "LOG_LEVEL": "WARNING",
    }


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


async def measure(
    client: httpx.AsyncClient, total: int, make: Any, method: str = "GET"
) -> dict[str, float]:
    latencies: list[float] = []
    issued = 0

    async def worker() -> None:
        nonlocal issued
        while issued < total:
            issued += 1
            path, body = make(issued)
            started = time.perf_counter()
            response = await client.request(method, path, json=body)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code >= 400:
                raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    return {
        "requests_per_s": round(total / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
    }


def dossier_beside_raw_sql(db: Database, contact_ids: list[str], rounds: int) -> dict[str, float]:
    """The dossier through the service layer, beside the very statements it issued (captured
    from the engine, with their parameters) replayed on the bare DBAPI cursor."""
    sample = random.Random(5).sample(contact_ids, rounds)
    captured: list[list[tuple[str, Any]]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured[-1].append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        for contact_id in sample:
            captured.append([])
            with db.session() as session:
                dossiers.contact_dossier(session, contact_id=contact_id)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)

    started = time.perf_counter()
    for contact_id in sample:
        with db.session() as session:
            dossiers.contact_dossier(session, contact_id=contact_id)
    service_ms = (time.perf_counter() - started) * 1000 / rounds
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        for statements in captured:
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                cursor.fetchall()
        raw_ms = (time.perf_counter() - started) * 1000 / rounds
        raw.rollback()
    finally:
        raw.close()
    return {
        "service_ms_per_dossier": round(service_ms, 3),
        "raw_sql_ms_per_dossier": round(raw_ms, 3),
        "statements_per_dossier": round(sum(map(len, captured)) / rounds, 1),
        "ratio_service_over_raw": round(service_ms / raw_ms, 2),
    }


def import_csv(rows: int) -> bytes:
    rng = random.Random(11)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["First Name", "Last Name", "Email", "Title", "Organization", "Country"])
    for index in range(rows):
        writer.writerow(
            [
                rng.choice(FIRST),
                rng.choice(LAST),
                f"import{index}@lp{index % 501}.example",
                "Partner",
                f"Imported Office {index % 2000}",
                "US",
            ]
        )
    return out.getvalue().encode()


async def run_backend(name: str, url: str, size: DemoSize, quick: bool) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        settings = Settings(DATA_DIR=data_dir, database_url=url, secret_key="b" * 48)
        migrate(DEFINITION, settings)
        db = Database(settings.database_url)
        config = auth.AuthConfig.from_settings(settings)
        with db.transaction() as session:
            auth.create_user(
                session,
                config=config,
                by=None,
                data=UserCreate(username="bench", password=PASSWORD, role=Role.ADMIN),
            )
        started = time.perf_counter()
        result = generate(db, size)
        elapsed = time.perf_counter() - started
        rows = sum(result.counts.values())
        figures["load"] = {
            "rows": rows,
            "seconds": round(elapsed, 1),
            "rows_per_s": round(rows / elapsed),
        }
        figures["dossier_in_process"] = dossier_beside_raw_sql(
            db, result.contact_ids, 50 if quick else 200
        )

        port = free_port()
        log = (data_dir / "crm-api.log").open("wb")
        process = subprocess.Popen(  # noqa: ASYNC220 - started once, before the measurements
            [sys.executable, "-m", "crm_api", "serve"],
            env=server_env(data_dir, url, port),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port("127.0.0.1", port, timeout=120)
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=600
            ) as client:
                token = (
                    await client.post(
                        "/api/auth/login", json={"username": "bench", "password": PASSWORD}
                    )
                ).json()["access_token"]
                client.headers["Authorization"] = f"Bearer {token}"
                rng = random.Random(3)
                total = 200 if quick else 1000
                figures["list_filtered"] = await measure(
                    client,
                    total,
                    lambda i: ("/api/contacts?contact_type=investor&country=GB&limit=50", None),
                )
                figures["list_filtered_q"] = await measure(
                    client,
                    total,
                    lambda i: (
                        f"/api/contacts?contact_type=investor&q={rng.choice(LAST).lower()}&limit=50",
                        None,
                    ),
                )
                figures["dossier"] = await measure(
                    client,
                    total,
                    lambda i: (f"/api/contacts/{rng.choice(result.contact_ids)}", None),
                )
                figures["create"] = await measure(
                    client,
                    total // 2,
                    lambda i: (
                        "/api/contacts",
                        {
                            "first_name": "Bench",
                            "last_name": f"Create {i}",
                            "emails": [{"email": f"bench-create-{i}@bench.example"}],
                        },
                    ),
                    method="POST",
                )
                print(f"  {name}: {figures}", flush=True)
                figures["csv_import"] = await bench_import(
                    client,
                    process.pid,
                    dry_rows=5_000 if quick else 100_000,
                    commit_rows=5_000 if quick else 100_000,
                )
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
            db.dispose()
    return figures


async def bench_import(
    client: httpx.AsyncClient, pid: int, *, dry_rows: int, commit_rows: int
) -> dict[str, Any]:
    """A dry run in the request itself, then a commit as a background job, polled to its end."""
    results: dict[str, Any] = {}
    body = import_csv(dry_rows)
    before = peak_rss_mib(pid)
    started = time.perf_counter()
    response = await client.post(
        "/api/import/contacts",
        files={"file": ("contacts.csv", body, "text/csv")},
        data={"mode": "dry_run"},
    )
    elapsed = time.perf_counter() - started
    if response.status_code >= 400:
        raise RuntimeError(f"import dry run: {response.status_code} {response.text[:500]}")
    results["dry_run"] = {
        "rows": dry_rows,
        "bytes": len(body),
        "seconds": round(elapsed, 1),
        "rows_per_s": round(dry_rows / elapsed),
        "server_peak_rss_mib_before": before,
        "server_peak_rss_mib_after": peak_rss_mib(pid),
    }

    body = import_csv(commit_rows)
    before = peak_rss_mib(pid)
    started = time.perf_counter()
    response = await client.post(
        "/api/import/jobs",
        files={"file": ("contacts.csv", body, "text/csv")},
        data={"mode": "commit"},
    )
    if response.status_code != 202:
        raise RuntimeError(f"import job: {response.status_code} {response.text[:500]}")
    location = response.headers["Location"]
    while True:
        job = (await client.get(location)).json()
        if job["status"] not in ("queued", "running"):
            break
        await asyncio.sleep(1.0)
    elapsed = time.perf_counter() - started
    if job["status"] != "succeeded":
        raise RuntimeError(f"import job ended {job['status']}: {job.get('error')}")
    results["commit_job"] = {
        "rows": commit_rows,
        "bytes": len(body),
        "seconds": round(elapsed, 1),
        "rows_per_s": round(commit_rows / elapsed),
        "created": job["totals"]["create"],
        "organizations_created": job["totals"]["organizations_created"],
        "server_peak_rss_mib_before": before,
        "server_peak_rss_mib_after": peak_rss_mib(pid),
    }
    return results


async def run(*, quick: bool = False) -> dict[str, Any]:
    size = DemoSize.bench()
    if quick:
        size = DemoSize(organizations=1_000, contacts=5_000, communications=50_000, funds=12)
    figures: dict[str, Any] = {
        "size": {
            "organizations": size.organizations,
            "contacts": size.contacts,
            "communications": size.communications,
        },
        "concurrency": CONCURRENCY,
    }
    with tempfile.TemporaryDirectory() as tmp:
        figures["sqlite"] = await run_backend("sqlite", f"sqlite:///{tmp}/bench.db", size, quick)
    admin = os.environ.get("BENCH_POSTGRES_URL") or postgres_admin_url()
    if admin:
        admin = admin.replace("postgresql://", "postgresql+psycopg://", 1)
        url = create_postgres_database(admin)
        try:
            figures["postgresql"] = await run_backend("postgresql", url, size, quick)
        finally:
            drop_postgres_database(admin, url)
    path = save("crm", figures)
    print("crm: list, dossier, create and CSV import at size")
    for key, value in figures.items():
        print(f"  {key}: {value}")
    print(f"  (saved to {path})")
    return figures
