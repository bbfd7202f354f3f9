"""`mcp-gateway`: The CRM for AI agents, over MCP."""

from __future__ import annotations

from crm_common.cli import ServiceDefinition, main
from mcp_gateway.app import create_app
from mcp_gateway.settings import Settings

DEFINITION = ServiceDefinition(
    prog="mcp-gateway",
    description="The CRM for AI agents, over MCP.",
    settings_cls=Settings,
    build_app=create_app,
    versions=None,
)


def run() -> None:
    raise SystemExit(main(DEFINITION))


if __name__ == "__main__":
    run()
