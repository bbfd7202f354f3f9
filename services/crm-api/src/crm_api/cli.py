"""crm-api's operator commands: `users create-admin`, `interactions verify`, `snapshot`, `demo`,
`backups list|create|verify|restore`."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select

from crm_api.auth import service as auth
from crm_api.auth.errors import UsernameTaken, WeakPassword
from crm_api.auth.principal import SYSTEM, Role
from crm_api.auth.schemas import UserCreate
from crm_api.backups import restore
from crm_api.backups import service as backups
from crm_api.backups.store import Store
from crm_api.contacts.models import Contact
from crm_api.demo.service import DemoSize, generate
from crm_api.interactions import service as interactions
from crm_api.settings import Settings
from crm_api.snapshot import service as snapshot
from crm_common.db import Database
from crm_common.errors import CRMError

PASSWORD_ENV = "CRM_API_ADMIN_PASSWORD"


def add_commands(sub: argparse._SubParsersAction[Any]) -> None:
    users = sub.add_parser("users", help="manage users from the command line")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    create = users_sub.add_parser(
        "create-admin",
        help="create an administrator non-interactively",
        description=(
            "Create an administrator. The password is read from standard input "
            f"(--password-stdin) or from {PASSWORD_ENV}; it is never a command-line argument."
        ),
    )
    create.add_argument("--username", required=True)
    create.add_argument("--email")
    create.add_argument("--display-name", default="")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )

    sub.add_parser(
        "snapshot",
        help="publish every record's current state through the outbox (for consumers to rebuild)",
    )

    demo = sub.add_parser(
        "demo",
        help="fill an empty CRM with seeded synthetic data, then publish a snapshot",
        description="Bulk-load a synthetic CRM (same seed, same data) into an empty database.",
    )
    sizes = DemoSize()
    demo.add_argument("--organizations", type=int, default=sizes.organizations)
    demo.add_argument("--contacts", type=int, default=sizes.contacts)
    demo.add_argument("--communications", type=int, default=sizes.communications)
    demo.add_argument("--funds", type=int, default=sizes.funds)
    demo.add_argument("--seed", type=int, default=sizes.seed)
    demo.add_argument("--no-snapshot", action="store_true", help="skip the snapshot at the end")

    backup = sub.add_parser("backups", help="back up, verify and restore the whole database")
    backup_sub = backup.add_subparsers(dest="backups_command", required=True)
    backup_sub.add_parser("list", help="the backups, newest first")
    made = backup_sub.add_parser("create", help="back up the whole database now")
    made.add_argument("--note", default="")
    check = backup_sub.add_parser("verify", help="check a backup's checksum and integrity")
    check.add_argument("backup_id")
    back = backup_sub.add_parser(
        "restore",
        help="restore a backup (stop crm-api first; a running one restores via the API)",
        description="Restores the whole database from a backup, after a pre-restore backup, "
        "then publishes a snapshot. Stop every crm-api instance first.",
    )
    back.add_argument("backup_id")
    back.add_argument("--yes", action="store_true", help="confirm")

    logs = sub.add_parser("interactions", help="the interaction log")
    logs_sub = logs.add_subparsers(dest="interactions_command", required=True)
    logs_sub.add_parser("verify", help="verify the hash chain; names the first broken row")


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    if sys.stdin.isatty():
        return getpass.getpass("password: ")
    raise SystemExit(f"give the password on stdin with --password-stdin, or in {PASSWORD_ENV}")


def create_admin(args: argparse.Namespace, settings: Settings) -> int:
    db = Database(settings.database_url)
    config = auth.AuthConfig.from_settings(settings)
    try:
        data = UserCreate(
            username=args.username,
            password=_read_password(args),
            email=args.email,
            display_name=args.display_name,
            role=Role.ADMIN,
        )
        with db.transaction() as session:
            user = auth.create_user(session, config=config, data=data, by=None)
    except (WeakPassword, UsernameTaken, ValidationError) as exc:
        print(f"refused: {exc}", file=sys.stderr)  # noqa: T201 - CLI output
        return 1
    finally:
        db.dispose()
    print(json.dumps({"id": user.id, "username": user.username, "role": user.role}))  # noqa: T201
    return 0


def verify_interactions(_args: argparse.Namespace, settings: Settings) -> int:
    db = Database(settings.database_url)
    try:
        with db.session() as session:
            report = interactions.verify(session)
    finally:
        db.dispose()
    print(report.model_dump_json(indent=2))  # noqa: T201 - CLI output
    return 0 if report.ok else 1


def publish_snapshot(_args: argparse.Namespace, settings: Settings) -> int:
    db = Database(settings.database_url)
    try:
        result = snapshot.publish(db, actor=SYSTEM)
    finally:
        db.dispose()
    print(result.model_dump_json(indent=2))  # noqa: T201 - CLI output
    return 0


def load_demo(args: argparse.Namespace, settings: Settings) -> int:
    db = Database(settings.database_url)
    try:
        with db.session() as session:
            if session.scalar(select(func.count()).select_from(Contact)):
                print(  # noqa: T201 - CLI output
                    "refused: the CRM already has contacts; demo data goes into an empty one",
                    file=sys.stderr,
                )
                return 1
        size = DemoSize(
            organizations=args.organizations,
            contacts=args.contacts,
            communications=args.communications,
            funds=args.funds,
            seed=args.seed,
        )
        result = generate(db, size)
        report: dict[str, Any] = {"rows": result.counts}
        if not args.no_snapshot:
            report["snapshot"] = snapshot.publish(db, actor=SYSTEM).model_dump(mode="json")
    finally:
        db.dispose()
    print(json.dumps(report, indent=2))  # noqa: T201 - CLI output
    return 0


def run_backups(args: argparse.Namespace, settings: Settings) -> int:
    db = Database(settings.database_url)
    store = Store(settings.backups_path)
    try:
        command = args.backups_command
        if command == "list":
            print(backups.listing(db, store).model_dump_json(indent=2))  # noqa: T201 - CLI output
            return 0
        if command == "create":
            made = backups.create(db, store, kind="manual", actor=SYSTEM, note=args.note)
            print(made.model_dump_json(indent=2))  # noqa: T201 - CLI output
            return 0
        if command == "verify":
            checked = backups.verify(db, store, backup_id=args.backup_id, actor=SYSTEM)
            print(checked.model_dump_json(indent=2))  # noqa: T201 - CLI output
            return 0 if checked.verification and checked.verification.ok else 1
        if not args.yes:
            print("refused: add --yes to restore (stop crm-api first)", file=sys.stderr)  # noqa: T201
            return 1
        result = restore.restore(
            db, store, backup_id=args.backup_id, confirm=args.backup_id, actor=SYSTEM
        )
        print(result.model_dump_json(indent=2))  # noqa: T201 - CLI output
        return 0
    except CRMError as exc:
        print(f"refused: {exc.detail or exc.title}", file=sys.stderr)  # noqa: T201 - CLI output
        return 1
    finally:
        db.dispose()


HANDLERS = {
    "demo": load_demo,
    "users": create_admin,
    "interactions": verify_interactions,
    "snapshot": publish_snapshot,
    "backups": run_backups,
}
