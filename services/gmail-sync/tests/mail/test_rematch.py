"""Re-matching when the resolver's entities change (the `resolver.entity.*` consumer): mail from
an address that later becomes a CRM contact is matched (and gets its body) on the next sync, and
a merge moves the links to the surviving entity."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from gmail_sync_helpers import (
    KNOWN,
    RunningResolver,
    by_message_id,
    crm_contact,
    enroll_team,
    events,
    known_contact,
    make_engine,
    sync,
)

from crm_common.bus.connection import Bus
from crm_common.bus.consumer import ConsumerRunner
from crm_common.bus.service import call
from crm_common.contracts import resolver as contract
from crm_common.db import Database
from crm_common.events import Actor
from crm_common.testing import eventually
from gmail_fake import GoogleFake
from gmail_fake.testing import make_message
from gmail_sync.mail import handlers
from gmail_sync.settings import Settings

pytestmark = pytest.mark.anyio

ANN = "ann@fund.example"
LATER = "bruno.becker@tidewater-capital.example"


@pytest.fixture
async def consumer(gmail_db: Database, bus: Bus) -> AsyncIterator[ConsumerRunner]:
    runner = ConsumerRunner(handlers.consumer_spec(), bus=bus, db=gmail_db)
    task = asyncio.create_task(runner.run())
    try:
        yield runner
    finally:
        await runner.stop()
        await task


def letter(message_id: str, sender: str) -> bytes:
    return make_message(
        sender=sender, to=ANN, message_id=message_id, body="Re-up for Fund IV: yes.\n"
    )


async def test_mail_from_an_address_that_becomes_a_contact_is_matched_on_the_next_sync(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
    consumer: ConsumerRunner,
) -> None:
    google_fake.add_message(ANN, letter("<later@x.example>", LATER))
    ann = enroll_team(gmail_db)[ANN]
    engine = make_engine(gmail_db, settings, bus)
    await sync(engine, ann)
    before = by_message_id(gmail_db, "<later@x.example>")
    assert before is not None
    assert not before.is_matched
    assert before.body_text is None

    await resolver.add("contact", crm_contact("c-bruno", "Bruno", "Becker", emails=[LATER]))
    bruno = await resolver.knows(LATER)

    def flagged() -> bool:
        message = by_message_id(gmail_db, "<later@x.example>")
        return message is not None and message.needs_rematch

    await eventually(flagged, what="the message flagged for re-matching", within=30)
    result = await sync(engine, ann)

    assert result.counts["rematched"] == 1
    after = by_message_id(gmail_db, "<later@x.example>")
    assert after is not None
    assert after.is_matched
    assert after.body_text is not None
    assert "Re-up for Fund IV" in after.body_text
    last = events(gmail_db)[-1]
    assert last.type == "gmail.message.updated"
    assert [link["entity_id"] for link in last.data["links"]] == [bruno]


async def test_a_merge_moves_the_links_to_the_surviving_entity(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
    consumer: ConsumerRunner,
) -> None:
    alice = await known_contact(resolver)
    await resolver.add("contact", crm_contact("c-bruno", "Bruno", "Becker", emails=[LATER]))
    bruno = await resolver.knows(LATER)
    google_fake.add_message(ANN, letter("<from-alice@x.example>", KNOWN))
    ann = enroll_team(gmail_db)[ANN]
    await sync(make_engine(gmail_db, settings, bus), ann)

    await call(
        bus.nc,
        contract.SUBJECT_MERGE,
        contract.MergeRequest(
            entity_ids=[bruno, alice],
            survivor_id=bruno,
            reason="the same person",
            actor=Actor(kind="user", id="u-admin"),
        ),
        contract.DecisionResult,
        timeout=10,
    )

    def moved() -> bool:
        last = events(gmail_db)[-1]
        return [link["entity_id"] for link in last.data["links"]] == [bruno]

    await eventually(moved, what="the link moved to the survivor", within=30)
    assert [e.type for e in events(gmail_db)] == ["gmail.message.created", "gmail.message.updated"]
