"""What consumers see: every change once, in order, with the full state; and snapshots.

crm-api's outbox is relayed to a real nats-server and read by a real consumer runner with its
own database, as the other services do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api_helpers import bearer
from crm_factories import organization
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_common import migrations
from crm_common.bus.connection import connect
from crm_common.bus.consumer import ConsumerRunner, ConsumerSpec
from crm_common.bus.streams import ensure_streams
from crm_common.db import Database
from crm_common.events import CloudEvent
from crm_common.natsd import NatsServer
from crm_common.outbox import OutboxRelay, unsent_count


def consume(
    app: FastAPI,
    server: NatsServer,
    consumer_db: Database,
    *,
    name: str,
    until: Callable[[CloudEvent], bool],
    purge_first: bool = False,
) -> list[CloudEvent]:
    """Relay crm-api's outbox and consume the CRM stream until an applied event matches `until`;
    returns the events the consumer applied (not those it dropped as duplicate or stale).

    The stream is ordered, so once the last change is applied every earlier one has been seen."""
    applied: list[CloudEvent] = []

    def handle(event: CloudEvent, _session: Session) -> None:
        applied.append(event)

    async def run() -> None:
        bus = await connect([server.url], name=name, wait=10)
        await ensure_streams(bus.js)
        if purge_first:  # as if the stream's retention had dropped the history
            await bus.js.purge_stream("CRM")
        relay = OutboxRelay(app.state.db, bus, poll_interval=0.05)
        runner = ConsumerRunner(
            ConsumerSpec(
                name=name,
                stream="CRM",
                filter_subjects=["crm.>"],
                handlers={},
                default_handler=handle,
                fetch_timeout=0.2,
            ),
            bus=bus,
            db=consumer_db,
        )
        tasks = [asyncio.create_task(relay.run()), asyncio.create_task(runner.run())]
        try:
            async with asyncio.timeout(30):
                # The handler runs in a worker thread and appends; polling the list is simplest.
                while not any(until(e) for e in applied):  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
        finally:
            await runner.stop()
            await relay.stop()
            await asyncio.gather(*tasks)
            await bus.nc.close()

    asyncio.run(run())
    return applied


def consumer_database(tmp_path: Path, name: str) -> Database:
    url = f"sqlite:///{tmp_path / name}.db"
    migrations.upgrade(url)
    return Database(url)


def is_marker(event: CloudEvent) -> bool:
    return event.type == "crm.organization.created" and event.data["name"] == "Marker"


def test_a_consumer_sees_each_change_once_in_order_with_the_full_state(
    app: FastAPI, client: TestClient, admin: str, nats_server: NatsServer, tmp_path: Path
) -> None:
    states: list[dict[str, Any]] = []
    created = organization(client, admin, domains=["harbor.example"])
    states.append(created)
    path = f"/api/organizations/{created['id']}"
    states.append(
        client.patch(
            path,
            json={"description": "Single-family office"},
            headers=bearer(admin) | {"If-Match": '"1"'},
        ).json()
    )
    states.append(client.delete(path, headers=bearer(admin)).json())
    states.append(client.post(f"{path}/restore", headers=bearer(admin)).json())
    organization(client, admin, name="Marker")

    seen = consume(
        app, nats_server, consumer_database(tmp_path, "consumer"), name="order", until=is_marker
    )
    mine = [e for e in seen if e.subject == created["id"]]
    assert [(e.type, e.version) for e in mine] == [
        ("crm.organization.created", 1),
        ("crm.organization.updated", 2),
        ("crm.organization.deleted", 3),
        ("crm.organization.restored", 4),
    ]
    assert [e.data for e in mine] == states
    assert all(e.actor.kind == "user" for e in mine)
    assert unsent_count(app.state.db) == 0


def test_a_snapshot_rebuilds_a_new_consumer_and_changes_nothing_for_a_current_one(
    app: FastAPI, client: TestClient, admin: str, nats_server: NatsServer, tmp_path: Path
) -> None:
    harbor = organization(client, admin)
    harbor = client.patch(
        f"/api/organizations/{harbor['id']}",
        json={"description": "LP since 2019"},
        headers=bearer(admin) | {"If-Match": '"1"'},
    ).json()
    organization(client, admin, name="Marker")
    current_db = consumer_database(tmp_path, "current")
    consume(app, nats_server, current_db, name="current", until=is_marker)

    published = client.post("/api/admin/snapshots", headers=bearer(admin))
    assert published.status_code == 201
    snapshot = published.json()
    assert snapshot["counts"]["organization"] == 2
    assert snapshot["counts"]["user"] == 1

    def completed(event: CloudEvent) -> bool:
        return event.type == "crm.snapshot.completed"

    rebuilt = consume(
        app,
        nats_server,
        consumer_database(tmp_path, "new"),
        name="new",
        until=completed,
        purge_first=True,
    )
    orgs = {e.subject: e for e in rebuilt if e.type == "crm.organization.snapshot"}
    assert orgs[harbor["id"]].data == harbor
    assert orgs[harbor["id"]].version == 2
    of_snapshot = [e for e in rebuilt if e.type.endswith(".snapshot") or ".snapshot." in e.type]
    assert {e.snapshotid for e in of_snapshot} == {snapshot["snapshot_id"]}

    again = consume(app, nats_server, current_db, name="current", until=completed)
    assert not [e for e in again if e.type == "crm.organization.snapshot"]
