"""`crm-api`: the CRM's HTTP API and its outbox relay, and operator commands."""

from __future__ import annotations

from pathlib import Path

from crm_api import cli
from crm_api.app import create_app
from crm_api.models import metadata
from crm_api.settings import Settings
from crm_common.cli import ServiceDefinition, main

DEFINITION = ServiceDefinition(
    prog="crm-api",
    description="The CRM's HTTP API (serves the SPA) and its outbox relay.",
    settings_cls=Settings,
    build_app=create_app,
    versions=Path(__file__).parent / "migrations" / "versions",
    metadata=[metadata],
    add_commands=cli.add_commands,
    handlers=cli.HANDLERS,
)


def run() -> None:
    raise SystemExit(main(DEFINITION))


if __name__ == "__main__":
    run()
