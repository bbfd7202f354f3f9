"""Backfill of generated mailboxes through the real Google client against the fake: counts,
one canonical message per Message-ID with a sighting per mailbox, bodies only for matched mail,
and a crash mid-backfill that loses and doubles nothing."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from gmail_sync_helpers import (
    RunningResolver,
    count,
    crm_contact,
    crm_organization,
    enroll_team,
    events,
    make_engine,
    messages,
    sightings,
    sync,
    sync_all,
)

from crm_common.bus.connection import Bus
from crm_common.db import Database
from gmail_fake import GoogleFake
from gmail_fake.generator import Corpus, generate_corpus
from gmail_sync.mail.models import EmailMessage
from gmail_sync.messages import parse
from gmail_sync.settings import Settings
from gmail_sync.sync.models import SyncState

pytestmark = pytest.mark.anyio

TEAM = {"ann@fund.example", "ben@fund.example", "cat@fund.example"}


def corpus_of(size: int = 150) -> Corpus:
    return generate_corpus(size, seed=7, big_attachment_bytes=64 * 1024)


def expected_messages(corpus: Corpus) -> int:
    """One per Message-ID; a message without one is one per mailbox (synthetic ids)."""
    return sum(1 if m.message_id else len(m.deliveries) for m in corpus.messages)


def outsiders(corpus: Corpus) -> list[str]:
    found: list[str] = []
    for message in corpus.messages:
        parsed = parse(message.raw, max_attachment_bytes=1)
        for address in parsed.sender:
            if address.address not in TEAM and address.address not in found:
                found.append(address.address)
    return found


async def seed_crm(resolver: RunningResolver, corpus: Corpus) -> tuple[str, str]:
    """A contact for one outside address and an organization for another's domain; returns
    (contact address, organization domain)."""
    people = outsiders(corpus)
    person = next(a for a in people if not a.endswith(("gmail.com", "outlook.com", "yahoo.com")))
    domain = next(
        a.rpartition("@")[2]
        for a in people
        if not a.endswith(("gmail.com", "outlook.com", "yahoo.com"))
        and a.rpartition("@")[2] != person.rpartition("@")[2]
    )
    await resolver.add("contact", crm_contact("c-1", "Known", "Investor", emails=[person]))
    await resolver.add("organization", crm_organization("o-1", "Known Capital", domains=[domain]))
    await resolver.knows(person)
    await resolver.knows(f"anyone@{domain}")
    return person, domain


async def test_backfill_stores_one_message_per_message_id_with_a_sighting_per_mailbox(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
) -> None:
    corpus = corpus_of()
    corpus.load_into(google_fake)
    person, domain = await seed_crm(resolver, corpus)
    ids = enroll_team(gmail_db)
    engine = make_engine(gmail_db, settings, bus)

    results = await sync_all(engine, ids)

    assert all(r.error is None for r in results), results
    assert count(gmail_db, EmailMessage) == expected_messages(corpus)
    assert len(sightings(gmail_db)) == sum(len(m.deliveries) for m in corpus.messages)
    per_message = Counter(s.email_id for s in sightings(gmail_db))
    shared = [m for m in corpus.messages if "three_mailboxes" in m.kinds and m.message_id]
    assert shared
    stored = {m.message_id: m for m in messages(gmail_db)}
    for generated in shared:
        assert generated.message_id is not None
        assert per_message[stored[generated.message_id].id] == 3
    # Bodies only for mail matching a CRM entity; everything else is headers only.
    matched = [m for m in messages(gmail_db) if m.is_matched]
    assert matched
    assert all(m.body_text is not None for m in matched)
    assert all(
        m.body_text is None and m.searchable_text is None
        for m in stored.values()
        if not m.is_matched
    )
    # A conversation is one thread, though backfill meets the replies before their parents.
    keys: dict[str, set[str]] = {}
    for generated in corpus.messages:
        if generated.message_id is not None:
            keys.setdefault(generated.thread_key, set()).add(
                stored[generated.message_id].thread_key
            )
    assert all(len(found) == 1 for found in keys.values()), keys
    assert len({next(iter(found)) for found in keys.values()}) == len(keys)
    # Each message published: created once, versions 1..n in order.
    versions: dict[str, list[int]] = {}
    for event in events(gmail_db):
        versions.setdefault(event.subject, []).append(event.version)
        assert "body_text" not in event.data
    assert set(versions) == {m.id for m in messages(gmail_db)}
    assert all(v == list(range(1, len(v) + 1)) for v in versions.values())
    assert sum(e.type == "gmail.message.created" for e in events(gmail_db)) == len(stored)


async def test_a_backfill_stopped_midway_resumes_from_its_saved_page_losing_and_doubling_nothing(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
) -> None:
    corpus = corpus_of()
    corpus.load_into(google_fake)
    await seed_crm(resolver, corpus)
    ids = enroll_team(gmail_db)
    ann = ids["ann@fund.example"]
    settings = settings.model_copy(update={"backfill_page_size": 10})

    first = await sync(make_engine(gmail_db, settings, bus), ann, max_pages=2)
    assert not first.is_complete
    with gmail_db.session() as session:
        state = session.get(SyncState, ann)
        assert state is not None
        assert state.phase == "backfill"
        assert state.pages_done == 2
        assert state.page_token is not None
    google_fake.duplicate_pages("gmail.users.messages.list", times=1)
    # A new engine, as after a restart: it starts from the saved page token.
    second = await sync(make_engine(gmail_db, settings, bus), ann)
    assert second.is_complete
    assert second.error is None

    copies = corpus.copies("ann@fund.example")
    ann_sightings = [s for s in sightings(gmail_db) if s.account_id == ann]
    assert len(ann_sightings) == copies
    assert len({s.gmail_id for s in ann_sightings}) == copies
    assert count(gmail_db, EmailMessage) == len({s.email_id for s in ann_sightings})
    created = Counter(e.subject for e in events(gmail_db) if e.type == "gmail.message.created")
    assert set(created.values()) == {1}
    # Every page listed once, the first two never again; plus the page Google served twice.
    pages = -(-copies // settings.backfill_page_size)
    listed = google_fake.request_count("gmail.users.messages.list", user="ann@fund.example")
    assert listed == pages + 1


async def test_three_mailboxes_backfilled_at_once_share_one_canonical_copy(
    gmail_db: Database,
    settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
) -> None:
    corpus = corpus_of(90)
    corpus.load_into(google_fake)
    await seed_crm(resolver, corpus)
    ids = enroll_team(gmail_db)
    engine = make_engine(gmail_db, settings, bus)

    results = await asyncio.gather(*(sync(engine, account_id) for account_id in ids.values()))

    assert [r.error for r in results] == [None, None, None]
    assert count(gmail_db, EmailMessage) == expected_messages(corpus)
    assert len(sightings(gmail_db)) == sum(len(m.deliveries) for m in corpus.messages)
    versions: dict[str, list[int]] = {}
    for event in events(gmail_db):
        versions.setdefault(event.subject, []).append(event.version)
    assert all(v == list(range(1, len(v) + 1)) for v in versions.values())
