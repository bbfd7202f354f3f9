"""gmail-sync test fixtures: its database migrated (SQLite, and PostgreSQL when set), the Gmail
fake with the team's mailboxes and a service account, and a real resolver on the test's
nats-server to match against."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from gmail_sync_helpers import (
    SERVICE_ACCOUNT,
    RunningResolver,
    gmail_settings,
    migrate,
    start_resolver,
    write_key_file,
)

from crm_common.bus.connection import Bus
from crm_common.db import Database
from crm_common.natsd import NatsServer
from gmail_fake import GoogleFake
from gmail_fake.testing import GMAIL_READONLY
from gmail_sync.settings import Settings


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def key_file(tmp_path: Path, google_fake: GoogleFake, signing_key: rsa.RSAPrivateKey) -> Path:
    key = google_fake.add_service_account(
        SERVICE_ACCOUNT, scopes=[GMAIL_READONLY], private_key=signing_key
    )
    return write_key_file(tmp_path, key)


@pytest.fixture
def gmail_db(database_url: str) -> Iterator[Database]:
    db = migrate(database_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def settings(
    tmp_path: Path,
    database_url: str,
    nats_server: NatsServer,
    google_fake: GoogleFake,
    key_file: Path,
) -> Settings:
    return gmail_settings(
        tmp_path, database_url, nats_server.url, google_fake, service_account_file=key_file
    )


@pytest.fixture
async def resolver(
    tmp_path: Path, nats_server: NatsServer, bus: Bus
) -> AsyncIterator[RunningResolver]:
    running = await start_resolver(tmp_path, nats_server.url, bus)
    try:
        yield running
    finally:
        await running.runtime.stop()
