"""Incremental sync from the History API: new, deleted and relabelled mail; a history too old
for Google answered by a full re-list; Google's 429 and 5xx retried; a revoked grant stops only
its own account."""

from __future__ import annotations

import pytest
from gmail_sync_helpers import (
    KNOWN,
    STRANGER,
    RunningResolver,
    Sleeps,
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
from gmail_fake import GoogleFake
from gmail_fake.testing import make_message
from gmail_sync.accounts.models import Account
from gmail_sync.settings import Settings

pytestmark = pytest.mark.anyio

ANN = "ann@fund.example"
BEN = "ben@fund.example"


def mail(number: int, *, sender: str = KNOWN) -> bytes:
    return make_message(
        subject=f"Fund III note {number}",
        sender=sender,
        to=ANN,
        body=f"Note {number} about the capital call.\n",
        message_id=f"<note-{number}@mail.example>",
    )


def types_of(db: Database, message_id: str) -> list[str]:
    stored = by_message_id(db, message_id)
    assert stored is not None
    return [e.type for e in events(db) if e.subject == stored.id]


async def test_incremental_sync_picks_up_new_deleted_and_relabelled_mail(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
) -> None:
    await known_contact(resolver)
    kept = google_fake.add_message(ANN, mail(1))
    doomed = google_fake.add_message(ANN, mail(2, sender=STRANGER))
    ann = enroll_team(gmail_db)[ANN]
    engine = make_engine(gmail_db, settings, bus)
    assert (await sync(engine, ann)).kind == "backfill"

    google_fake.add_message(ANN, mail(3))
    google_fake.delete_message(ANN, doomed.id)
    follow_up = google_fake.create_label(ANN, "Follow-up")
    google_fake.modify_message(ANN, kept.id, add=[follow_up.id], remove=["UNREAD"])
    result = await sync(engine, ann)

    assert result.kind == "incremental"
    assert result.error is None
    assert types_of(gmail_db, "<note-3@mail.example>") == ["gmail.message.created"]
    assert types_of(gmail_db, "<note-2@mail.example>") == [
        "gmail.message.created",
        "gmail.message.deleted",
    ]
    assert types_of(gmail_db, "<note-1@mail.example>") == [
        "gmail.message.created",
        "gmail.message.updated",
    ]
    relabelled = [e for e in events(gmail_db) if e.type == "gmail.message.updated"][-1]
    assert follow_up.id in relabelled.data["labels"]
    assert "UNREAD" not in relabelled.data["labels"]
    # Nothing changed since: the next run publishes nothing.
    before = len(events(gmail_db))
    assert (await sync(engine, ann)).error is None
    assert len(events(gmail_db)) == before


async def test_a_history_too_old_for_google_is_recovered_by_listing_the_mailbox_again(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
) -> None:
    await known_contact(resolver)
    google_fake.add_message(ANN, mail(1))
    doomed = google_fake.add_message(ANN, mail(2))
    ann = enroll_team(gmail_db)[ANN]
    engine = make_engine(gmail_db, settings, bus)
    await sync(engine, ann)

    google_fake.add_message(ANN, mail(3))
    google_fake.delete_message(ANN, doomed.id)
    mailbox = google_fake.mailbox(ANN)
    google_fake.forget_history(ANN, before=mailbox.history_id + 1)
    result = await sync(engine, ann)

    assert result.kind == "relist"
    assert result.error is None
    assert types_of(gmail_db, "<note-3@mail.example>") == ["gmail.message.created"]
    assert types_of(gmail_db, "<note-2@mail.example>")[-1] == "gmail.message.deleted"
    # Incremental again from the mailbox's history id after the re-list.
    google_fake.add_message(ANN, mail(4))
    again = await sync(engine, ann)
    assert again.kind == "incremental"
    assert types_of(gmail_db, "<note-4@mail.example>") == ["gmail.message.created"]


async def test_429_and_500_are_retried_with_backoff_honouring_retry_after(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
) -> None:
    await known_contact(resolver)
    for number in range(1, 6):
        google_fake.add_message(ANN, mail(number))
    ann = enroll_team(gmail_db)[ANN]
    sleeps = Sleeps()
    engine = make_engine(gmail_db, settings, bus, sleeps)
    google_fake.fail("gmail.users.messages.list", status=500, times=2)
    google_fake.fail("gmail.users.messages.get", status=429, times=3, retry_after=7)

    result = await sync(engine, ann)

    assert result.error is None
    assert result.counts["created"] == 5
    assert result.counts["retries"] >= 3
    assert max(sleeps.delays) >= 7  # Retry-After is a floor under the backoff
    assert google_fake.request_count("gmail.users.messages.list", user=ANN) == 3


async def test_a_revoked_grant_puts_its_account_in_error_and_the_others_sync_on(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
) -> None:
    await known_contact(resolver)
    google_fake.add_message(ANN, mail(1))
    google_fake.add_message(BEN, mail(2))
    ids = enroll_team(gmail_db)
    google_fake.revoke(BEN)
    engine = make_engine(gmail_db, settings, bus)

    results = {address: await sync(engine, account_id) for address, account_id in ids.items()}

    assert results[ANN].error is None
    assert results[ANN].counts["created"] == 1
    assert results[BEN].error is not None
    with gmail_db.session() as session:
        ben = session.get(Account, ids[BEN])
        assert ben is not None
        assert ben.status == "error"
        assert "invalid_grant" in ben.status_detail
        ann = session.get(Account, ids[ANN])
        assert ann is not None
        assert ann.status == "active"
        assert ann.last_sync_at is not None
    # An account in error is not synced again until a person acts.
    assert (await sync(engine, ids[BEN])).kind == "skipped"
    assert {s.account_id for s in sightings(gmail_db)} == {ids[ANN]}
