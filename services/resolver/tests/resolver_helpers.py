"""Resolver test helpers: CRM-shaped states, and a resolver running for real on a nats-server.

The states are what crm-api's `state()` functions publish (see services/crm-api), trimmed to
plain dicts; grid rows and Gmail messages follow their contracts (issue 6's grid row, and
crm_common.contracts.gmail).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import anyio
import nats.errors
from pydantic import BaseModel
from sqlalchemy import func, select

from crm_common import migrations
from crm_common.bus.connection import Bus
from crm_common.bus.service import call
from crm_common.contracts import resolver as contract
from crm_common.db import Database
from crm_common.events import Actor, CloudEvent
from crm_common.ids import new_id_str
from crm_common.models import outbox
from crm_common.runtime import ServiceRuntime
from crm_common.testing import eventually
from crm_resolver.__main__ import DEFINITION
from crm_resolver.app import CRM_AGGREGATES, CRM_CONSUMER, GMAIL_CONSUMER, build_runtime
from crm_resolver.context import Context
from crm_resolver.settings import Settings

CRM_ACTOR = Actor(kind="user", id="u-admin", name="admin")
ALICE = Actor(kind="user", id="u-alice", name="alice")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

ModelT = TypeVar("ModelT", bound=BaseModel)


def _bookkeeping(record_id: str, version: int) -> dict[str, Any]:
    stamp = NOW.isoformat()
    return {
        "id": record_id,
        "version": version,
        "created_at": stamp,
        "updated_at": stamp,
        "created_by": CRM_ACTOR.id,
        "updated_by": CRM_ACTOR.id,
        "deleted_at": None,
    }


def contact(
    record_id: str,
    first: str,
    last: str,
    *,
    emails: Iterable[str] = (),
    org_ids: Iterable[str] = (),
    version: int = 1,
    city: str | None = None,
    phones: Iterable[str] = (),
    owner_id: str | None = None,
    deleted: bool = False,
) -> dict[str, Any]:
    addresses = list(emails)
    orgs = list(org_ids)
    return _bookkeeping(record_id, version) | {
        "first_name": first,
        "last_name": last,
        "title": None,
        "contact_type": "prospect",
        "status": "active",
        "source": None,
        "owner_id": owner_id,
        "city": city,
        "region": None,
        "country": None,
        "linkedin_url": None,
        "notes": "",
        "emails": [
            {"email": e, "label": None, "is_primary": i == 0} for i, e in enumerate(addresses)
        ],
        "primary_email": addresses[0] if addresses else None,
        "phones": [{"number": p, "label": None} for p in phones],
        "affiliations": [
            {
                "id": f"aff-{record_id}-{o}",
                "organization_id": o,
                "role": "Partner",
                "start_date": None,
                "end_date": None,
                "is_primary": i == 0,
            }
            for i, o in enumerate(orgs)
        ],
        "primary_organization_id": orgs[0] if orgs else None,
        "tags": [],
        "custom_fields": {},
        "deleted_at": NOW.isoformat() if deleted else None,
    }


def organization(
    record_id: str,
    name: str,
    *,
    website: str | None = None,
    domains: Iterable[str] = (),
    version: int = 1,
    deleted: bool = False,
) -> dict[str, Any]:
    return _bookkeeping(record_id, version) | {
        "name": name,
        "type": "family_office",
        "website": website,
        "domains": sorted(domains),
        "description": "",
        "tags": [],
        "custom_fields": {},
        "deleted_at": NOW.isoformat() if deleted else None,
    }


def lp_profile(
    record_id: str,
    *,
    contact_id: str | None = None,
    organization_id: str | None = None,
    version: int = 1,
) -> dict[str, Any]:
    return _bookkeeping(record_id, version) | {
        "contact_id": contact_id,
        "organization_id": organization_id,
        "investor_type": "family_office",
        "notes": "",
        "k1_deliveries": [],
    }


def grid_row(
    record_id: str,
    *,
    organization_id: str | None = None,
    contact_id: str | None = None,
    contact_ids: Iterable[str] = (),
    version: int = 1,
    deleted: bool = False,
    name: str | None = None,
) -> dict[str, Any]:
    return {
        "id": record_id,
        "version": version,
        "name": name,
        "investor_kind": "organization" if organization_id else "contact",
        "organization_id": organization_id,
        "contact_id": contact_id,
        "contact_ids": list(contact_ids),
        "deleted_at": NOW.isoformat() if deleted else None,
    }


def communication(
    record_id: str,
    *,
    kind: str,
    contact_id: str | None,
    attendee_ids: Iterable[str] = (),
    organization_id: str | None = None,
    created_by: str = CRM_ACTOR.id,
    occurred_at: datetime = NOW,
    version: int = 1,
    deleted: bool = False,
) -> dict[str, Any]:
    return _bookkeeping(record_id, version) | {
        "created_by": created_by,
        "type": kind,
        "subject": f"{kind} about fund III",
        "body": "",
        "occurred_at": occurred_at.isoformat(),
        "contact_id": contact_id,
        "organization_id": organization_id,
        "opportunity_id": None,
        "attendee_ids": sorted(attendee_ids),
        "outcome": None,
        "next_action": None,
        "next_action_due": None,
        "deleted_at": NOW.isoformat() if deleted else None,
    }


def user(
    record_id: str, username: str, *, email: str | None = None, version: int = 1
) -> dict[str, Any]:
    return {
        "id": record_id,
        "username": username,
        "email": email,
        "display_name": username.capitalize(),
        "role": "member",
        "is_active": True,
        "created_at": NOW.isoformat(),
        "last_login_at": None,
        "version": version,
    }


def message(
    record_id: str,
    *,
    sender: tuple[str, str | None],
    to: Iterable[tuple[str, str | None]],
    mailbox_user_id: str,
    cc: Iterable[tuple[str, str | None]] = (),
    sent_at: datetime = NOW,
    subject: str = "Fund III",
) -> dict[str, Any]:
    def address(pair: tuple[str, str | None]) -> dict[str, Any]:
        return {"address": pair[0], "name": pair[1]}

    return {
        "id": record_id,
        "message_id": f"<{record_id}@mail.example>",
        "thread_id": f"t-{record_id}",
        "sent_at": sent_at.isoformat(),
        "subject": subject,
        "from": address(sender),
        "to": [address(p) for p in to],
        "cc": [address(p) for p in cc],
        "mailbox_user_id": mailbox_user_id,
        "deleted_at": None,
    }


def event(
    aggregate: str,
    action: str,
    data: dict[str, Any],
    *,
    source: str = "crm",
    version: int | None = None,
) -> CloudEvent:
    return CloudEvent(
        source=f"/{source}",
        type=f"{source}.{aggregate}.{action}",
        subject=str(data["id"]),
        actor=CRM_ACTOR,
        version=version if version is not None else int(data.get("version") or 1),
        data=data,
    )


@dataclass
class Resolver:
    """A resolver runtime (consumers, request-reply, relay) on a real nats-server."""

    bus: Bus
    db: Database
    ctx: Context
    runtime: ServiceRuntime
    published: list[CloudEvent] = field(default_factory=list)
    # The stream sequence of the last message published that a consumer reads, per stream:
    # `settle` waits until the consumer has been handed it (its pending count alone can lag).
    _last_seq: dict[str, int] = field(default_factory=dict)

    async def publish(self, *events: CloudEvent) -> None:
        for cloud_event in events:
            await self._publish(cloud_event, msg_id=cloud_event.id)
            self.published.append(cloud_event)

    async def redeliver(self, cloud_event: CloudEvent) -> None:
        """Publish the same event again under a new message id (past the stream's dedup)."""
        await self._publish(cloud_event, msg_id=new_id_str())

    async def _publish(self, cloud_event: CloudEvent, *, msg_id: str) -> None:
        stream = "GMAIL" if cloud_event.type.startswith("gmail.") else "CRM"
        ack = await self.bus.js.publish(
            cloud_event.type,
            cloud_event.to_bytes(),
            headers={"Nats-Msg-Id": msg_id},
            stream=stream,
        )
        read = stream == "GMAIL" or cloud_event.type.split(".")[1] in CRM_AGGREGATES
        if read and not ack.duplicate:
            self._last_seq[stream] = max(self._last_seq.get(stream, 0), ack.seq)

    def _unsent(self) -> int:
        with self.db.session() as session:
            return int(
                session.scalar(
                    select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
                )
                or 0
            )

    async def settle(self, within: float = 30.0) -> None:
        """Wait until both consumers have handled everything and the outbox is published."""

        async def backlog() -> int:
            pending = 0
            for name, stream in ((CRM_CONSUMER, "CRM"), (GMAIL_CONSUMER, "GMAIL")):
                try:
                    info = await self.bus.js.consumer_info(stream, name)
                except Exception:  # not created yet: the runner is still starting
                    pending += 1
                    continue
                pending += int(info.num_pending or 0) + int(info.num_ack_pending or 0)
                # A message nak'ed for a later retry is neither: it shows as acks behind.
                delivered = info.delivered.stream_seq if info.delivered else 0
                acked = info.ack_floor.stream_seq if info.ack_floor else 0
                pending += int((delivered or 0) > (acked or 0))
                pending += int((delivered or 0) < self._last_seq.get(stream, 0))
            return pending + self._unsent()

        async def settled() -> bool:
            return await backlog() == 0

        await eventually(
            settled,
            what="the resolver consumed and published everything",
            within=within,
            interval=0.02,
        )

    async def ask(self, subject: str, request: BaseModel, response: type[ModelT]) -> ModelT:
        return await call(self.bus.nc, subject, request, response, timeout=10)

    async def entity_events(self) -> list[CloudEvent]:
        """Every `resolver.entity.*` event on the RESOLVER stream, in order."""
        sub = await self.bus.js.subscribe(
            "resolver.entity.>", ordered_consumer=True, stream="RESOLVER"
        )
        found: list[CloudEvent] = []
        info = await self.bus.js.stream_info("RESOLVER")
        total = int(info.state.messages)
        try:
            with anyio.fail_after(10):
                while len(found) < total:
                    msg = await sub.next_msg(timeout=5)
                    found.append(CloudEvent.from_bytes(msg.data))
        finally:
            await sub.unsubscribe()
        return found

    async def entity(self, source_kind: str, source_id: str) -> contract.EntityResponse:
        return await self.ask(
            contract.SUBJECT_ENTITY,
            contract.EntityRequest(
                source=contract.SourceRef(source_kind=source_kind, source_id=source_id)
            ),
            contract.EntityResponse,
        )

    async def entity_id(self, source_kind: str, source_id: str) -> str:
        return str((await self.entity(source_kind, source_id)).entity.id)

    def partition(self) -> set[frozenset[str]]:
        """Which source records are together: the entities' live links, as sets of refs."""
        from crm_resolver.entities import service as entities
        from crm_resolver.entities.models import Entity

        found = set()
        with self.db.session() as session:
            for entity in session.scalars(select(Entity).where(Entity.status == "active")):
                state = entities.state(session, self.ctx, entity)
                found.add(frozenset(f"{link.source_kind}:{link.source_id}" for link in state.links))
        return found


def resolver_settings(
    tmp_path: Any, database_url: str, nats_url: str, **overrides: Any
) -> Settings:
    return Settings(DATA_DIR=tmp_path, NATS_URL=nats_url, database_url=database_url, **overrides)


async def start_resolver(settings: Settings, bus: Bus) -> Resolver:
    migrations.upgrade(
        settings.database_url, versions=DEFINITION.versions, metadata=DEFINITION.metadata
    )
    db = Database(settings.database_url)
    ctx = Context.from_settings(settings)
    runtime = build_runtime(settings, db, ctx)
    await runtime.start()
    with anyio.fail_after(15):
        await runtime.ready.wait()

    async def serving() -> bool:  # the request-reply worker registers its endpoints once running
        try:
            await bus.nc.request("$SRV.PING.resolver", b"", timeout=1)
        except (nats.errors.NoRespondersError, nats.errors.TimeoutError):
            return False  # not subscribed yet, or too busy starting to answer within a second
        return True

    await eventually(serving, what="the resolver answering requests", within=15, interval=0.02)
    return Resolver(bus=bus, db=db, ctx=ctx, runtime=runtime)


def dump(value: Any) -> str:
    return json.dumps(value, default=str, indent=1)


__all__ = ["ALICE", "NOW", "timedelta"]
