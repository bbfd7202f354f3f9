"""gmail-sync test helpers: a real resolver on the test's nats-server (for matching), the
service's settings pointed at the Gmail fake, and reads of what the sync stored and published.

The resolver learns the CRM's contacts and organizations from `crm.*` events, as in production;
`crm_contact` / `crm_organization` are what crm-api publishes, trimmed to what resolution reads.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
import nats.errors
from sqlalchemy import func, select

from crm_common import migrations
from crm_common.bus.connection import Bus
from crm_common.bus.service import call
from crm_common.contracts import resolver as contract
from crm_common.db import Database
from crm_common.events import Actor, CloudEvent
from crm_common.models import outbox
from crm_common.runtime import ServiceRuntime
from crm_common.testing import eventually
from crm_resolver.__main__ import DEFINITION as RESOLVER
from crm_resolver.app import build_runtime as resolver_runtime
from crm_resolver.context import Context
from crm_resolver.settings import Settings as ResolverSettings
from gmail_fake import GoogleFake
from gmail_sync.__main__ import DEFINITION
from gmail_sync.accounts import service as accounts
from gmail_sync.mail.models import EmailLink, EmailMessage, EmailSighting
from gmail_sync.matching.service import ResolverMatcher
from gmail_sync.settings import Settings
from gmail_sync.sync.engine import RunResult, SyncEngine

CRM_ACTOR = Actor(kind="user", id="u-admin", name="admin")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SERVICE_ACCOUNT = "gmail-sync@crm-test.iam.example"
TOKEN_KEY = base64.b64encode(bytes(range(32))).decode()
TEAM_USERS = {"ann@fund.example": "u-ann", "ben@fund.example": "u-ben", "cat@fund.example": "u-cat"}


def crm_contact(record_id: str, first: str, last: str, *, emails: list[str]) -> dict[str, Any]:
    stamp = NOW.isoformat()
    return {
        "id": record_id,
        "version": 1,
        "created_at": stamp,
        "updated_at": stamp,
        "created_by": CRM_ACTOR.id,
        "updated_by": CRM_ACTOR.id,
        "deleted_at": None,
        "first_name": first,
        "last_name": last,
        "title": None,
        "contact_type": "lp",
        "status": "active",
        "source": None,
        "owner_id": None,
        "city": None,
        "region": None,
        "country": None,
        "linkedin_url": None,
        "notes": "",
        "emails": [{"email": e, "label": None, "is_primary": i == 0} for i, e in enumerate(emails)],
        "primary_email": emails[0] if emails else None,
        "phones": [],
        "affiliations": [],
        "primary_organization_id": None,
        "tags": [],
        "custom_fields": {},
    }


def crm_organization(record_id: str, name: str, *, domains: list[str]) -> dict[str, Any]:
    stamp = NOW.isoformat()
    return {
        "id": record_id,
        "version": 1,
        "created_at": stamp,
        "updated_at": stamp,
        "created_by": CRM_ACTOR.id,
        "updated_by": CRM_ACTOR.id,
        "deleted_at": None,
        "name": name,
        "type": "family_office",
        "website": None,
        "domains": sorted(domains),
        "description": "",
        "tags": [],
        "custom_fields": {},
    }


@dataclass
class RunningResolver:
    bus: Bus
    runtime: ServiceRuntime

    async def add(self, aggregate: str, data: dict[str, Any]) -> None:
        event = CloudEvent(
            source="/crm",
            type=f"crm.{aggregate}.created",
            subject=data["id"],
            actor=CRM_ACTOR,
            version=1,
            data=data,
        )
        await self.bus.js.publish(
            event.type, event.to_bytes(), headers={"Nats-Msg-Id": event.id}, stream="CRM"
        )

    async def knows(self, address: str) -> str:
        """Wait until the resolver resolves `address` to an entity a CRM record stands behind."""

        async def probe() -> str:
            answer = await call(
                self.bus.nc,
                contract.SUBJECT_RESOLVE,
                contract.ResolveRequest(email=address, include_domain=True),
                contract.ResolveResponse,
                timeout=10,
            )
            for match in answer.matches:
                if any(link.source_kind != "email_participant" for link in match.entity.links):
                    return match.entity.id
            raise AssertionError(f"no CRM entity holds {address} yet")

        return await eventually(probe, what=f"the resolver knowing {address}", within=30)


async def start_resolver(tmp_path: Path, nats_url: str, bus: Bus) -> RunningResolver:
    folder = tmp_path / "resolver"
    settings = ResolverSettings(DATA_DIR=folder, NATS_URL=nats_url)
    await asyncio.to_thread(
        migrations.upgrade,
        settings.database_url,
        versions=RESOLVER.versions,
        metadata=RESOLVER.metadata,
    )
    db = Database(settings.database_url)
    runtime = resolver_runtime(settings, db, Context.from_settings(settings))
    await runtime.start()
    with anyio.fail_after(15):
        await runtime.ready.wait()

    async def serving() -> bool:
        try:
            await bus.nc.request("$SRV.PING.resolver", b"", timeout=1)
        except (nats.errors.NoRespondersError, nats.errors.TimeoutError):
            return False
        return True

    await eventually(serving, what="the resolver answering", within=15, interval=0.02)
    return RunningResolver(bus=bus, runtime=runtime)


def write_key_file(folder: Path, key: dict[str, str]) -> Path:
    path = folder / "service-account.json"
    path.write_text(json.dumps(key))
    os.chmod(path, 0o600)
    return path


def gmail_settings(
    tmp_path: Path, database_url: str, nats_url: str, fake: GoogleFake, **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "DATA_DIR": tmp_path / "gmail-sync",
        "NATS_URL": nats_url,
        "database_url": database_url,
        "api_endpoint": fake.gmail_endpoint,
        "token_uri": fake.token_uri,
        "auth_uri": fake.auth_uri,
        "batch_uri": fake.batch_uri,
        "backoff_base_seconds": 0.01,
        "backoff_max_seconds": 0.05,
        "backfill_page_size": 25,
        "token_key": TOKEN_KEY,
    }
    values.update(overrides)
    return Settings(**values)


def migrate(database_url: str) -> Database:
    migrations.upgrade(database_url, versions=DEFINITION.versions, metadata=DEFINITION.metadata)
    return Database(database_url)


def enroll_team(db: Database, *, auth_kind: str = "service_account") -> dict[str, str]:
    """Enrol the fake's team; returns account id by address."""
    with db.transaction() as session:
        return {
            address: accounts.enroll(
                session, user_id=user_id, email=address, auth_kind=auth_kind
            ).id
            for address, user_id in TEAM_USERS.items()
        }


class Sleeps:
    """The engine's `sleep`, recorded (and not slept: the fake's Retry-After is whole seconds)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def make_engine(
    db: Database, settings: Settings, bus: Bus, sleeps: Sleeps | None = None
) -> SyncEngine:
    matcher = ResolverMatcher(bus.nc, loop=asyncio.get_running_loop(), timeout=10)
    return SyncEngine(db=db, settings=settings, matcher=matcher, sleep=sleeps or Sleeps())


async def sync(engine: SyncEngine, account_id: str, *, max_pages: int | None = None) -> RunResult:
    return await asyncio.to_thread(engine.sync_account, account_id, max_pages=max_pages)


async def sync_all(engine: SyncEngine, ids: dict[str, str]) -> list[RunResult]:
    results = []
    for account_id in ids.values():
        while True:
            result = await sync(engine, account_id)
            results.append(result)
            if result.is_complete or result.error:
                break
    return results


# -- reads ----------------------------------------------------------------------------------------


def count(db: Database, model: Any, *where: Any) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _rows(db: Database, model: Any) -> list[Any]:
    with db.session() as session:
        found = list(session.scalars(select(model)))
        session.expunge_all()  # keep their loaded state past the read session's rollback
        return found


def messages(db: Database) -> list[EmailMessage]:
    return _rows(db, EmailMessage)


def sightings(db: Database) -> list[EmailSighting]:
    return _rows(db, EmailSighting)


def links(db: Database) -> list[EmailLink]:
    return _rows(db, EmailLink)


def events(db: Database) -> list[CloudEvent]:
    """Every event gmail-sync wrote to its outbox, in order."""
    with db.session() as session:
        rows = session.execute(select(outbox.c.payload).order_by(outbox.c.id)).scalars()
        return [CloudEvent.from_bytes(payload) for payload in rows]


def events_per_message(db: Database) -> Counter[str]:
    return Counter(event.subject for event in events(db))


KNOWN = "alice.adams@northpeak-capital.example"
STRANGER = "someone@elsewhere.example"


async def known_contact(resolver: RunningResolver) -> str:
    """Alice Adams, a CRM contact: mail from her matches. Returns her entity id."""
    await resolver.add("contact", crm_contact("c-alice", "Alice", "Adams", emails=[KNOWN]))
    return await resolver.knows(KNOWN)


def by_message_id(db: Database, message_id: str) -> EmailMessage | None:
    with db.session() as session:
        found = session.scalar(select(EmailMessage).where(EmailMessage.message_id == message_id))
        session.expunge_all()
        return found
