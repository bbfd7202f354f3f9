"""`resolver`: Canonical entities, merges and the relationship graph."""

from __future__ import annotations

from pathlib import Path

from crm_common.cli import ServiceDefinition, main
from crm_resolver.app import create_app
from crm_resolver.models import metadata
from crm_resolver.settings import Settings

DEFINITION = ServiceDefinition(
    prog="resolver",
    description="Canonical entities, merges and the relationship graph.",
    settings_cls=Settings,
    build_app=create_app,
    versions=Path(__file__).parent / "migrations" / "versions",
    metadata=[metadata],
)


def run() -> None:
    raise SystemExit(main(DEFINITION))


if __name__ == "__main__":
    run()
