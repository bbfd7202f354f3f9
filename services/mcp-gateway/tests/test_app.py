"""mcp-gateway's process: its command line and its health check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crm_common.natsd import NatsServer
from crm_common.testing import check_health_follows_the_bus
from mcp_gateway.app import create_app
from mcp_gateway.settings import Settings


def test_help_lists_the_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mcp_gateway", "--help"], capture_output=True, text=True, check=True
    )
    assert "serve" in result.stdout


def test_health_reports_the_database_and_the_bus(tmp_path: Path, nats_server: NatsServer) -> None:
    settings = Settings(DATA_DIR=tmp_path, NATS_URL=nats_server.url)
    check_health_follows_the_bus(create_app(settings), "/health", nats_server, has_database=False)
