"""Bad input handled and the run goes on: an attachment over the cap (its hash kept, no file),
malformed MIME, messages without a Message-ID; and the quota budget's pacing."""

from __future__ import annotations

import pytest
from gmail_sync_helpers import (
    KNOWN,
    RunningResolver,
    by_message_id,
    enroll_team,
    known_contact,
    make_engine,
    messages,
    sightings,
    sync,
)

from crm_common.bus.connection import Bus
from crm_common.db import Database
from gmail_fake import GoogleFake
from gmail_fake.testing import make_message
from gmail_sync.mail.models import EmailAttachment
from gmail_sync.messages import AttachmentStore
from gmail_sync.settings import Settings
from gmail_sync.sync.google import QuotaBudget

ANN = "ann@fund.example"
BEN = "ben@fund.example"

MALFORMED = (
    b"From: Alice Adams <" + KNOWN.encode() + b">\r\n"
    b"To: ann@fund.example\r\n"
    b"Subject: =?utf-8?q?broken_=E2=82?=\r\n"
    b"Message-ID: <malformed@x.example>\r\n"
    b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
    b"--never-closed\r\nContent-Type: text/plain; charset=nonsense-8\r\n\r\n"
    b"caf\xe9 terms\r\n--never-closed\r\nContent-Type: application/pdf\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n%%%not base64%%%\r\n"
)


@pytest.mark.anyio
async def test_bad_mail_is_stored_as_well_as_it_reads_and_the_run_goes_on(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
) -> None:
    await known_contact(resolver)
    big = make_message(
        sender=KNOWN, to=ANN, message_id="<big@x.example>", attachment=("big.pdf", b"%" * 4096)
    )
    anonymous = make_message(sender=KNOWN, to=f"{ANN}, {BEN}", subject="No id")
    google_fake.add_message(ANN, big)
    google_fake.add_message(ANN, MALFORMED)
    google_fake.add_message(ANN, anonymous)
    google_fake.add_message(BEN, anonymous)
    ids = enroll_team(gmail_db)
    settings = settings.model_copy(update={"max_attachment_bytes": 1024})
    engine = make_engine(gmail_db, settings, bus)

    results = [await sync(engine, ids[ANN]), await sync(engine, ids[BEN])]

    assert [r.error for r in results] == [None, None]
    stored = by_message_id(gmail_db, "<big@x.example>")
    assert stored is not None
    with gmail_db.session() as session:
        (attachment,) = session.query(EmailAttachment).filter_by(email_id=stored.id).all()
        assert attachment.is_too_large
        assert not attachment.is_stored
        digest = attachment.sha256
    assert len(digest) == 64
    assert not AttachmentStore.for_data_dir(settings.data_dir).has(digest)
    broken = by_message_id(gmail_db, "<malformed@x.example>")
    assert broken is not None
    assert broken.defects
    assert broken.is_matched
    # Without a Message-ID nothing ties two copies together safely: two messages.
    synthetic = [m for m in messages(gmail_db) if m.message_id.endswith("@gmail-sync.invalid>")]
    assert len(synthetic) == 2
    assert {s.email_id for s in sightings(gmail_db)} >= {m.id for m in synthetic}


def test_the_quota_budget_waits_when_a_second_of_units_is_spent() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    budget = QuotaBudget(rate=10.0, sleep=sleep, clock=lambda: now[0])
    budget.spend(5)
    budget.spend(5)
    assert slept == []
    budget.spend(5)
    assert slept == [pytest.approx(0.5)]
    now[0] += 10.0  # idle: the bucket refills to one second's worth, no more
    budget.spend(10)
    assert len(slept) == 1
    assert budget.spent == 25
