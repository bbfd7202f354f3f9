"""mcp-gateway's process: its command line and its health check."""

from __future__ import annotations

import os
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
    assert "stdio" in result.stdout


def test_stdio_without_a_key_says_which_variable_to_set(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MCP_GATEWAY_API_KEY"}
    result = subprocess.run(
        [sys.executable, "-m", "mcp_gateway", "stdio"],
        capture_output=True,
        text=True,
        env=env | {"DATA_DIR": str(tmp_path)},
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert "MCP_GATEWAY_API_KEY" in result.stderr
    assert result.stdout == ""


def test_health_reports_the_database_and_the_bus(tmp_path: Path, nats_server: NatsServer) -> None:
    settings = Settings(DATA_DIR=tmp_path, NATS_URL=nats_server.url)
    check_health_follows_the_bus(create_app(settings), "/health", nats_server, has_database=False)
