"""`mcp-gateway`: The CRM for AI agents, over MCP.

`serve` (the default) runs the HTTP face with MCP over streamable HTTP at `/mcp`; `stdio` speaks
MCP on stdin/stdout for one agent, whose key is `MCP_GATEWAY_API_KEY`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

import anyio

from crm_common.cli import ServiceDefinition, main
from mcp_gateway.app import build_gateway, create_app
from mcp_gateway.server import build_server
from mcp_gateway.settings import Settings

logger = logging.getLogger(__name__)


def _add_commands(sub: argparse._SubParsersAction[Any]) -> None:
    sub.add_parser("stdio", help="speak MCP on stdin/stdout (the key from MCP_GATEWAY_API_KEY)")


def _stdio(_args: argparse.Namespace, settings: Settings) -> int:
    if settings.api_key is None:
        print("mcp-gateway stdio: set MCP_GATEWAY_API_KEY to the agent's key", file=sys.stderr)  # noqa: T201 - CLI error
        return 2
    gateway = build_gateway(settings, stdio=True)
    server = build_server(gateway)

    async def serve() -> None:
        try:
            await server.run_stdio_async()
        finally:
            await gateway.crm.aclose()

    logger.info("mcp-gateway on stdio, crm-api at %s", settings.crm_api_url)
    anyio.run(serve)
    return 0


DEFINITION = ServiceDefinition(
    prog="mcp-gateway",
    description="The CRM for AI agents, over MCP.",
    settings_cls=Settings,
    build_app=create_app,
    versions=None,
    add_commands=_add_commands,
    handlers={"stdio": _stdio},
    stdio_commands=frozenset({"stdio"}),
)


def run() -> None:
    raise SystemExit(main(DEFINITION))


if __name__ == "__main__":
    run()
