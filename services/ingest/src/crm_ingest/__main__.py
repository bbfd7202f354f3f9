"""`ingest`: chunks, embeddings and hybrid search over the CRM's text.

Commands: `serve` (the default), `migrate`, `config`, `reindex`.
"""

from __future__ import annotations

from pathlib import Path

from crm_common.cli import ServiceDefinition, main
from crm_ingest import cli
from crm_ingest.app import create_app
from crm_ingest.models import metadata
from crm_ingest.settings import Settings

DEFINITION = ServiceDefinition(
    prog="ingest",
    description="Chunks, embeddings and hybrid search over the CRM's text.",
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
