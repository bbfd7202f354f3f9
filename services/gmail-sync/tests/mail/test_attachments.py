"""`gmail.attachments.get`: a stored attachment of matched mail, by its SHA-256, up to the size a
reply carries; nothing of unmatched or private mail."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from email.message import EmailMessage

import pytest
from gmail_sync_helpers import (
    KNOWN,
    STRANGER,
    RunningResolver,
    by_message_id,
    enroll_team,
    known_contact,
    make_engine,
    sync,
)

from crm_common.bus.connection import Bus
from crm_common.bus.service import ServiceCallError, call, start_service
from crm_common.contracts import gmail as contract
from crm_common.db import Database
from gmail_fake import GoogleFake
from gmail_fake.testing import make_message
from gmail_sync.mail import endpoints
from gmail_sync.mail import service as mail
from gmail_sync.messages import AttachmentStore
from gmail_sync.settings import Settings

pytestmark = pytest.mark.anyio

ANN = "ann@fund.example"
SMALL = b"%PDF-1.4 side letter"
LARGE = b"x" * (contract.ATTACHMENT_REPLY_MAX_BYTES + 1)


def with_two_files(message_id: str, sender: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ANN
    message["Subject"] = "Side letter"
    message["Message-ID"] = message_id
    message.set_content("Both files attached.\n")
    message.add_attachment(SMALL, maintype="application", subtype="pdf", filename="letter.pdf")
    message.add_attachment(LARGE, maintype="application", subtype="octet-stream", filename="big")
    return message.as_bytes()


@pytest.fixture
async def served(gmail_db: Database, settings: Settings, bus: Bus) -> AsyncIterator[None]:
    store = AttachmentStore.for_data_dir(settings.data_dir)
    service = await start_service(
        bus.nc, name="gmail", version="0.0.1", endpoints=endpoints.endpoints(gmail_db, store)
    )
    try:
        yield
    finally:
        await service.stop()


async def get(bus: Bus, email_id: str, sha256: str) -> contract.AttachmentContent:
    return await call(
        bus.nc,
        contract.SUBJECT_ATTACHMENT_GET,
        contract.AttachmentGetRequest(id=email_id, sha256=sha256),
        contract.AttachmentContent,
        timeout=10,
    )


async def refused(bus: Bus, email_id: str, sha256: str) -> int:
    with pytest.raises(ServiceCallError) as error:
        await get(bus, email_id, sha256)
    return error.value.status


async def test_matched_mail_serves_its_files_up_to_the_cap(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
    served: None,
) -> None:
    await known_contact(resolver)
    google_fake.add_message(ANN, with_two_files("<two@mail.example>", KNOWN))
    unmatched = make_message(
        sender=STRANGER, to=ANN, message_id="<x@mail.example>", attachment=("a.pdf", SMALL)
    )
    google_fake.add_message(ANN, unmatched)
    await sync(make_engine(gmail_db, settings, bus), enroll_team(gmail_db)[ANN])
    matched = by_message_id(gmail_db, "<two@mail.example>")
    stranger = by_message_id(gmail_db, "<x@mail.example>")
    assert matched is not None
    assert stranger is not None
    small = hashlib.sha256(SMALL).hexdigest()

    served_file = await get(bus, matched.id, small)
    assert base64.b64decode(served_file.content_base64) == SMALL
    assert (served_file.filename, served_file.size) == ("letter.pdf", len(SMALL))
    assert await refused(bus, matched.id, hashlib.sha256(LARGE).hexdigest()) == 413
    assert await refused(bus, matched.id, "0" * 64) == 404
    assert await refused(bus, stranger.id, small) == 404  # unmatched: never stored, never served

    with gmail_db.transaction() as session:
        mail.mark_private(session, email_id=matched.id, user_id="u-ann")
    assert await refused(bus, matched.id, small) == 404
