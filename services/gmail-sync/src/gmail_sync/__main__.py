"""`gmail-sync`: Syncs team mailboxes from the Gmail API and links messages to investors."""

from __future__ import annotations

from pathlib import Path

from crm_common.cli import ServiceDefinition, main
from gmail_sync.app import create_app
from gmail_sync.models import metadata
from gmail_sync.settings import Settings

DEFINITION = ServiceDefinition(
    prog="gmail-sync",
    description="Syncs team mailboxes from the Gmail API and links messages to investors.",
    settings_cls=Settings,
    build_app=create_app,
    versions=Path(__file__).parent / "migrations" / "versions",
    metadata=[metadata],
)


def run() -> None:
    raise SystemExit(main(DEFINITION))


if __name__ == "__main__":
    run()
