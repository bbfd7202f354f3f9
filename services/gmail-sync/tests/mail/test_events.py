"""The events: one per change, the version growing; a repeated sync or a republish changes
nothing; and the request-reply endpoints serve matched mail only."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from gmail_sync_helpers import (
    KNOWN,
    STRANGER,
    RunningResolver,
    by_message_id,
    enroll_team,
    events,
    known_contact,
    make_engine,
    sync,
)

from crm_common.bus.connection import Bus
from crm_common.bus.service import ServiceCallError, call, start_service
from crm_common.contracts import gmail as contract
from crm_common.db import Database
from crm_common.outbox import OutboxRelay
from gmail_fake import GoogleFake
from gmail_fake.testing import make_message
from gmail_sync.mail import endpoints
from gmail_sync.settings import Settings
from gmail_sync.sync.models import SyncState

pytestmark = pytest.mark.anyio

ANN = "ann@fund.example"


def note(number: int, *, sender: str = KNOWN) -> bytes:
    return make_message(
        subject=f"Quarterly report {number}",
        sender=sender,
        to=ANN,
        body=f"Report {number}: the fund returned 12%.\n",
        message_id=f"<report-{number}@mail.example>",
        attachment=("report.pdf", b"%PDF-1.4 report") if number == 1 else None,
    )


@pytest.fixture
async def served(gmail_db: Database, bus: Bus) -> AsyncIterator[None]:
    service = await start_service(
        bus.nc, name="gmail", version="0.0.1", endpoints=endpoints.endpoints(gmail_db)
    )
    try:
        yield
    finally:
        await service.stop()


async def test_a_repeated_backfill_and_a_republish_publish_nothing_new(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
) -> None:
    await known_contact(resolver)
    for number in range(1, 4):
        google_fake.add_message(ANN, note(number))
    ann = enroll_team(gmail_db)[ANN]
    engine = make_engine(gmail_db, settings, bus)
    await sync(engine, ann)
    first = events(gmail_db)
    assert [e.version for e in first] == [1, 1, 1]

    # The whole mailbox stored again, as after a lost sync state.
    with gmail_db.transaction() as session:
        state = session.get(SyncState, ann)
        assert state is not None
        state.phase, state.page_token, state.start_history_id = "backfill", None, None
    assert (await sync(engine, ann)).counts["unchanged"] == 3
    assert events(gmail_db) == first

    relay = OutboxRelay(gmail_db, bus)
    assert await relay.relay_once() == 3
    assert await relay.republish_recent() == 3  # as after a NATS restart
    info = await bus.js.stream_info("GMAIL")
    assert info.state.messages == 3  # the stream dropped the duplicates by event id


async def test_the_endpoints_serve_matched_mail_only(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
    served: None,
) -> None:
    alice = await known_contact(resolver)
    for number in range(1, 6):
        google_fake.add_message(ANN, note(number))
    google_fake.add_message(ANN, note(9, sender=STRANGER))
    ann = enroll_team(gmail_db)[ANN]
    await sync(make_engine(gmail_db, settings, bus), ann)
    first = by_message_id(gmail_db, "<report-1@mail.example>")
    stranger = by_message_id(gmail_db, "<report-9@mail.example>")
    assert first is not None
    assert stranger is not None

    read = await call(
        bus.nc,
        contract.SUBJECT_MESSAGE_GET,
        contract.MessageGetRequest(id=first.id),
        contract.MessageRead,
    )
    assert "the fund returned 12%" in read.body_text
    assert read.message.links[0].entity_id == alice
    assert read.message.links[0].match_kind == "exact_address"
    assert [a.filename for a in read.attachments] == ["report.pdf"]
    with pytest.raises(ServiceCallError) as refused:
        await call(
            bus.nc,
            contract.SUBJECT_MESSAGE_GET,
            contract.MessageGetRequest(id=stranger.id),
            contract.MessageRead,
        )
    assert refused.value.status == 404

    seen: list[str] = []
    cursor: str | None = None
    while True:
        page = await call(
            bus.nc,
            contract.SUBJECT_MESSAGES_OF_ENTITY,
            contract.MessagesOfEntityRequest(entity_id=alice, limit=2, cursor=cursor),
            contract.MessagesPage,
        )
        seen.extend(item.message_id for item in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == [f"<report-{n}@mail.example>" for n in range(1, 6)]
    with pytest.raises(ServiceCallError) as bad:
        await call(
            bus.nc,
            contract.SUBJECT_MESSAGES_OF_ENTITY,
            contract.MessagesOfEntityRequest(entity_id=alice, cursor="not-a-cursor"),
            contract.MessagesPage,
        )
    assert bad.value.status == 400
