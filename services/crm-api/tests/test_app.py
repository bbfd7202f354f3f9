"""crm-api's process: its command line and its health check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crm_api.app import create_app
from crm_api.settings import Settings
from crm_common.natsd import NatsServer
from crm_common.testing import check_health_follows_the_bus


def test_help_lists_the_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crm_api", "--help"], capture_output=True, text=True, check=True
    )
    assert "serve" in result.stdout


def test_health_reports_the_database_and_the_bus(tmp_path: Path, nats_server: NatsServer) -> None:
    settings = Settings(DATA_DIR=tmp_path, NATS_URL=nats_server.url)
    check_health_follows_the_bus(
        create_app(settings), "/api/health", nats_server, has_database=True
    )
