"""The privacy rules: unmatched mail keeps no body (database or bus), an excluded label's or
domain's message never leaves the service (nor is stored beyond its dedup keys), a label added
later retracts it, and a message marked private disappears with an event."""

from __future__ import annotations

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
    sightings,
    sync,
)

from crm_common.bus.connection import Bus
from crm_common.db import Database
from crm_common.outbox import OutboxRelay
from gmail_fake import GoogleFake
from gmail_fake.testing import make_message
from gmail_sync.mail import service as mail
from gmail_sync.mail.models import EmailAttachment
from gmail_sync.settings import Settings

pytestmark = pytest.mark.anyio

ANN = "ann@fund.example"
BEN = "ben@fund.example"
SECRET_BODY = "the side letter terms are confidential"


def letter(message_id: str, *, sender: str, attachment: bool = False) -> bytes:
    return make_message(
        subject="Side letter",
        sender=sender,
        to=ANN,
        body=f"Hello,\n{SECRET_BODY}.\n",
        message_id=message_id,
        attachment=("terms.pdf", b"%PDF-1.4 terms") if attachment else None,
    )


async def stream_payloads(bus: Bus) -> list[bytes]:
    info = await bus.js.stream_info("GMAIL")
    sub = await bus.js.subscribe("gmail.message.>", ordered_consumer=True, stream="GMAIL")
    found: list[bytes] = []
    try:
        while len(found) < int(info.state.messages):
            found.append((await sub.next_msg(timeout=5)).data)
    finally:
        await sub.unsubscribe()
    return found


async def test_unmatched_mail_has_no_body_in_the_database_nor_on_the_bus(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
) -> None:
    await known_contact(resolver)
    google_fake.add_message(ANN, letter("<matched@x.example>", sender=KNOWN, attachment=True))
    google_fake.add_message(ANN, letter("<unmatched@x.example>", sender=STRANGER, attachment=True))
    ann = enroll_team(gmail_db)[ANN]
    await sync(make_engine(gmail_db, settings, bus), ann)

    matched = by_message_id(gmail_db, "<matched@x.example>")
    unmatched = by_message_id(gmail_db, "<unmatched@x.example>")
    assert matched is not None
    assert unmatched is not None
    assert matched.is_matched
    assert matched.body_text is not None
    assert SECRET_BODY in matched.body_text
    assert not unmatched.is_matched
    assert (unmatched.body_text, unmatched.body_html, unmatched.searchable_text) == (
        None,
        None,
        None,
    )
    assert unmatched.subject == "Side letter"  # headers only
    with gmail_db.session() as session:
        files = {a.email_id for a in session.query(EmailAttachment)}
    assert files == {matched.id}

    relay = OutboxRelay(gmail_db, bus)
    assert await relay.relay_once() == 2
    payloads = await stream_payloads(bus)
    assert len(payloads) == 2
    assert all(SECRET_BODY.encode() not in payload for payload in payloads)


async def test_an_excluded_label_keeps_the_message_out_of_every_mailbox_and_off_the_bus(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
) -> None:
    await known_contact(resolver)
    personal = google_fake.create_label(ANN, "Personal")
    raw = letter("<private@x.example>", sender=KNOWN)
    google_fake.add_message(ANN, raw, label_ids=["INBOX", personal.id])
    google_fake.add_message(BEN, raw, label_ids=["INBOX"])  # the same message, unlabelled there
    ids = enroll_team(gmail_db)
    engine = make_engine(gmail_db, settings, bus)

    for account_id in ids.values():
        assert (await sync(engine, account_id)).error is None

    assert by_message_id(gmail_db, "<private@x.example>") is None
    withheld = sightings(gmail_db)
    assert len(withheld) == 2
    assert all(s.email_id is None and s.labels == [] for s in withheld)
    assert {s.withheld_reason for s in withheld} == {"label", "elsewhere"}
    assert events(gmail_db) == []


async def test_an_excluded_domain_withholds_the_message(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
) -> None:
    await known_contact(resolver)
    google_fake.add_message(ANN, letter("<doctor@x.example>", sender="Dr Who <gp@clinic.example>"))
    ann = enroll_team(gmail_db)[ANN]
    settings = settings.model_copy(update={"excluded_domains": ["clinic.example"]})

    result = await sync(make_engine(gmail_db, settings, bus), ann)

    assert result.counts["withheld"] == 1
    assert by_message_id(gmail_db, "<doctor@x.example>") is None
    assert events(gmail_db) == []


async def test_a_label_added_later_retracts_the_message_with_a_deleted_event(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
) -> None:
    await known_contact(resolver)
    stored = google_fake.add_message(ANN, letter("<later@x.example>", sender=KNOWN))
    personal = google_fake.create_label(ANN, "Personal")
    ann = enroll_team(gmail_db)[ANN]
    engine = make_engine(gmail_db, settings, bus)
    await sync(engine, ann)

    google_fake.modify_message(ANN, stored.id, add=[personal.id])
    await sync(engine, ann)

    message = by_message_id(gmail_db, "<later@x.example>")
    assert message is not None
    assert message.deleted_at is not None
    assert (message.subject, message.body_text, message.sender) == ("", None, None)
    assert [e.type for e in events(gmail_db)] == ["gmail.message.created", "gmail.message.deleted"]
    assert events(gmail_db)[-1].data["subject"] == ""


async def test_a_message_marked_private_disappears_with_an_event(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
) -> None:
    await known_contact(resolver)
    held = google_fake.add_message(ANN, letter("<mark@x.example>", sender=KNOWN, attachment=True))
    ann = enroll_team(gmail_db)[ANN]
    engine = make_engine(gmail_db, settings, bus)
    await sync(engine, ann)
    stored = by_message_id(gmail_db, "<mark@x.example>")
    assert stored is not None

    with gmail_db.transaction() as session:
        mail.mark_private(session, email_id=stored.id, user_id="u-ann")

    last = events(gmail_db)[-1]
    assert last.type == "gmail.message.deleted"
    assert last.data["is_private"] is True
    assert last.data["links"] == []
    again = by_message_id(gmail_db, "<mark@x.example>")
    assert again is not None
    assert again.body_text is None
    assert again.private_at is not None
    # A later change to it in the mailbox does not bring it back.
    google_fake.modify_message(ANN, held.id, add=["STARRED"])
    await sync(engine, ann)
    assert [e.type for e in events(gmail_db) if e.subject == stored.id][-1] == (
        "gmail.message.deleted"
    )
