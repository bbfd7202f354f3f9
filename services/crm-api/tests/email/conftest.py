"""crm-api's /api/email routes against real services: a resolver and a gmail-sync process
(`python -m ... serve`) on the test's nats-server, each with a database of its own, gmail-sync
talking to the Gmail fake as its Google (a service account and an OAuth client)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import nats.errors
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crm_common.bus.connection import connect
from crm_common.natsd import NatsServer, free_port
from crm_common.testing import (
    create_postgres_database,
    drop_postgres_database,
    eventually,
    postgres_admin_url,
)
from gmail_fake import GoogleFake
from gmail_fake.testing import GMAIL_READONLY

SERVICE_ACCOUNT = "gmail-sync@crm-test.iam.example"
OAUTH_CLIENT_ID = "crm-test-client"
OAUTH_CLIENT_SECRET = "crm-test-secret"
REDIRECT_URI = "http://testserver/api/email/oauth/callback"
TOKEN_KEY = base64.b64encode(bytes(range(32))).decode()


def _database(tmp_path: Path, database_url: str, name: str) -> str:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / f'{name}.db'}"
    admin_url = postgres_admin_url()
    assert admin_url is not None
    return create_postgres_database(admin_url)


def _drop(database_url: str, url: str) -> None:
    admin_url = postgres_admin_url()
    if admin_url is not None and not database_url.startswith("sqlite"):
        drop_postgres_database(admin_url, url)


async def _answering(process: subprocess.Popen[bytes], nats_url: str, service: str) -> bool:
    """The service's request-reply endpoints answer (they register once it runs)."""
    if process.poll() is not None:  # at once: no wait brings it back
        raise RuntimeError(f"{service} exited with {process.returncode}")
    bus = await connect([nats_url], name=f"{service}-probe", wait=5)
    try:
        await bus.nc.request(f"$SRV.PING.{service}", b"", timeout=1)
    except (nats.errors.NoRespondersError, nats.errors.TimeoutError):
        return False
    finally:
        await bus.nc.close()
    return True


def _serve(
    module: str, service: str, data_dir: Path, env: dict[str, str], nats_url: str
) -> Iterator[None]:
    with (data_dir / f"{service}.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", module, "serve"], env=env, stdout=log, stderr=log
        )
    try:
        asyncio.run(
            eventually(lambda: _answering(process, nats_url, service), what=service, within=60)
        )
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def resolver(tmp_path: Path, database_url: str, nats_server: NatsServer) -> Iterator[None]:
    url = _database(tmp_path, database_url, "resolver")
    data_dir = tmp_path / "resolver"
    data_dir.mkdir()
    env = os.environ | {
        "DATA_DIR": str(data_dir),
        "NATS_URL": nats_server.url,
        "LOG_LEVEL": "WARNING",
        "RESOLVER_DATABASE_URL": url,
        "RESOLVER_PORT": str(free_port()),
    }
    try:
        yield from _serve("crm_resolver", "resolver", data_dir, env, nats_server.url)
    finally:
        _drop(database_url, url)


@pytest.fixture
def gmail_sync(
    tmp_path: Path,
    database_url: str,
    nats_server: NatsServer,
    google_fake: GoogleFake,
    resolver: None,
) -> Iterator[GoogleFake]:
    """gmail-sync on the test's bus, its Google the fake; yields the fake (add mail to it)."""
    data_dir = tmp_path / "gmail-sync"
    data_dir.mkdir()
    key = google_fake.add_service_account(
        SERVICE_ACCOUNT,
        scopes=[GMAIL_READONLY],
        private_key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )
    key_file = data_dir / "service-account.json"
    key_file.write_text(json.dumps(key))
    os.chmod(key_file, 0o600)
    google_fake.add_oauth_client(OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, [REDIRECT_URI])
    url = _database(tmp_path, database_url, "gmail-sync")
    env = os.environ | {
        "DATA_DIR": str(data_dir),
        "NATS_URL": nats_server.url,
        "LOG_LEVEL": "WARNING",
        "GMAIL_SYNC_DATABASE_URL": url,
        "GMAIL_SYNC_PORT": str(free_port()),
        "GMAIL_SYNC_SERVICE_ACCOUNT_FILE": str(key_file),
        "GMAIL_SYNC_TOKEN_KEY": TOKEN_KEY,
        "GMAIL_SYNC_OAUTH_CLIENT_ID": OAUTH_CLIENT_ID,
        "GMAIL_SYNC_OAUTH_CLIENT_SECRET": OAUTH_CLIENT_SECRET,
        "GMAIL_SYNC_OAUTH_REDIRECT_URI": REDIRECT_URI,
        "GMAIL_SYNC_API_ENDPOINT": google_fake.gmail_endpoint,
        "GMAIL_SYNC_TOKEN_URI": google_fake.token_uri,
        "GMAIL_SYNC_AUTH_URI": google_fake.auth_uri,
        "GMAIL_SYNC_BATCH_URI": google_fake.batch_uri,
        "GMAIL_SYNC_BACKOFF_BASE_SECONDS": "0.01",
        "GMAIL_SYNC_BACKOFF_MAX_SECONDS": "0.05",
        "GMAIL_SYNC_SYNC_INTERVAL_SECONDS": "3600",
    }
    try:
        for _ in _serve("gmail_sync", "gmail", data_dir, env, nats_server.url):
            yield google_fake
    finally:
        _drop(database_url, url)


@pytest.fixture
def live(
    make_app: Callable[..., FastAPI], nats_server: NatsServer
) -> Iterator[tuple[FastAPI, TestClient]]:
    app = make_app(NATS_URL=nats_server.url, outbox_poll_interval=0.05)
    with TestClient(app) as client:
        asyncio.run(
            eventually(lambda: client.get("/api/health").status_code == 200, what="crm-api healthy")
        )
        yield app, client
    app.state.db.dispose()
