"""The command line every service shares: `serve` (the default), `migrate`, `config`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlalchemy import MetaData

from crm_common import migrations
from crm_common.db import Database
from crm_common.logging import configure_logging
from crm_common.settings import ServiceSettings, load_settings

logger = logging.getLogger(__name__)

ExtraCommands = Callable[[Any], None]


@dataclass(frozen=True)
class ServiceDefinition:
    """What the shared CLI needs to know about a service."""

    prog: str
    description: str
    settings_cls: type[ServiceSettings]
    build_app: Callable[[Any], FastAPI]
    versions: Path | None = None
    metadata: Sequence[MetaData] = ()
    add_commands: Callable[[argparse._SubParsersAction[Any]], None] | None = None
    handlers: Mapping[str, Callable[[argparse.Namespace, Any], int]] = field(default_factory=dict)
    # Commands whose stdout is a protocol (the MCP gateway's `stdio`): their logs go to stderr.
    stdio_commands: frozenset[str] = frozenset()


def migrate(defn: ServiceDefinition, settings: ServiceSettings) -> None:
    """Apply the service's migrations; a SQLite database without planner statistics gets them."""
    if defn.settings_cls.has_database:
        migrations.upgrade(settings.database_url, versions=defn.versions, metadata=defn.metadata)
        db = Database(settings.database_url)
        try:
            if not db.has_statistics():
                db.analyze()
        finally:
            db.dispose()


def _masked(settings: ServiceSettings) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for name, value in settings.model_dump(mode="json").items():
        secret = any(word in name for word in ("secret", "password", "token", "key"))
        shown[name] = "[set]" if secret and value else value
    return shown


def main(defn: ServiceDefinition, argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=defn.prog, description=defn.description)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser("serve", help="apply migrations, then run the service (the default)")
    serve.add_argument("--host", help="interface to bind (default from settings)")
    serve.add_argument("--port", type=int, help="port to listen on (default from settings)")
    if defn.settings_cls.has_database:
        sub.add_parser("migrate", help="apply the database migrations and exit")
    sub.add_parser("config", help="print the effective configuration, secrets masked")
    if defn.add_commands is not None:
        defn.add_commands(sub)
    args = parser.parse_args(argv)
    command = args.command or "serve"

    overrides: dict[str, Any] = {}
    if command == "serve":
        if args.host:
            overrides["host"] = args.host
        if args.port:
            overrides["port"] = args.port
    settings = load_settings(defn.settings_cls, **overrides)
    log_stream = sys.stderr if command in defn.stdio_commands else None
    configure_logging(defn.prog, settings.log_level, stream=log_stream)
    if command not in ("serve", "migrate"):
        logging.getLogger("alembic").setLevel(logging.WARNING)

    if command == "config":
        print(json.dumps(_masked(settings), indent=2, default=str))  # noqa: T201 - CLI output
        return 0
    if command == "migrate":
        migrate(defn, settings)
        logger.info("migrations applied")
        return 0
    if command in defn.handlers:
        migrate(defn, settings)
        return defn.handlers[command](args, settings)
    migrate(defn, settings)
    app = defn.build_app(settings)
    logger.info(
        "%s listening on http://%s:%d",
        defn.prog,
        settings.host,
        settings.port,
        extra={"nats": settings.nats_url},
    )
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False)
    return 0


def run(defn: ServiceDefinition) -> None:
    sys.exit(main(defn))
