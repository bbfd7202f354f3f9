"""gmail-sync's process: its command line and its health check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from gmail_sync_helpers import KNOWN, RunningResolver, enroll_team, known_contact

from crm_common.bus.connection import Bus
from crm_common.db import Database
from crm_common.natsd import NatsServer
from crm_common.testing import check_health_follows_the_bus, eventually
from gmail_fake import GoogleFake
from gmail_fake.testing import make_message
from gmail_sync.accounts.models import Account
from gmail_sync.app import Services, build_runtime, create_app
from gmail_sync.settings import Settings


def test_help_lists_the_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gmail_sync", "--help"], capture_output=True, text=True, check=True
    )
    assert "serve" in result.stdout


def test_health_reports_the_database_and_the_bus(tmp_path: Path, nats_server: NatsServer) -> None:
    settings = Settings(DATA_DIR=tmp_path, NATS_URL=nats_server.url)
    check_health_follows_the_bus(create_app(settings), "/health", nats_server, has_database=True)


@pytest.mark.anyio
async def test_the_service_syncs_an_account_on_demand_and_publishes_its_mail(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
) -> None:
    await known_contact(resolver)
    google_fake.add_message(
        "ann@fund.example",
        make_message(sender=KNOWN, to="ann@fund.example", message_id="<app@x.example>"),
    )
    ann = enroll_team(gmail_db)["ann@fund.example"]
    services = Services()
    runtime = build_runtime(
        settings.model_copy(update={"sync_interval_seconds": 3600}), gmail_db, services
    )
    await runtime.start()
    try:
        with anyio.fail_after(15):
            await runtime.ready.wait()
        assert services.scheduler is not None
        services.scheduler.sync_now(ann)

        async def published() -> bool:
            info = await bus.js.stream_info("GMAIL")
            return int(info.state.messages) == 1

        await eventually(published, what="the message on the GMAIL stream", within=30)
        with gmail_db.session() as session:
            account = session.get(Account, ann)
            assert account is not None
            assert account.last_sync_at is not None
    finally:
        await runtime.stop()
