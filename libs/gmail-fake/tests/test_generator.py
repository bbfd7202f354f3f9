"""The mailbox generator: the same corpus for the same seed, every kind of message in it, and each
read back through the real client as Gmail would show it."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from gmail_fake import GoogleFake
from gmail_fake.generator import KINDS, TEAM, Corpus, generate_corpus
from gmail_fake.testing import GoogleClients, gmail_batch

BIG = 200_000


def small_corpus() -> Corpus:
    return generate_corpus(400, seed=3, big_attachment_bytes=BIG, big_attachment_rate=0.3)


def parts(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [payload] + [p for child in payload.get("parts", []) for p in parts(child)]


def header(payload: dict[str, Any], name: str) -> str | None:
    return next((h["value"] for h in payload["headers"] if h["name"] == name), None)


def test_the_same_seed_writes_the_same_corpus() -> None:
    first = generate_corpus(150, seed=11)
    again = generate_corpus(150, seed=11)
    other = generate_corpus(150, seed=12)

    assert [m.raw for m in first.messages] == [m.raw for m in again.messages]
    assert [m.raw for m in first.messages] != [m.raw for m in other.messages]
    assert len(first.messages) == 150


def test_a_corpus_holds_every_kind_of_message() -> None:
    corpus = small_corpus()

    counts = corpus.kinds()

    assert {kind: counts[kind] > 0 for kind in KINDS} == dict.fromkeys(KINDS, True)
    for charset in ("iso-8859-1", "windows-1252", "shift_jis", "koi8-r", "utf-8"):
        assert counts[f"charset:{charset}"] > 0, charset
    assert all(len(m.deliveries) == 3 for m in corpus.messages if "three_mailboxes" in m.kinds)
    assert sum(m.message_id is None for m in corpus.messages) == counts["no_message_id"]


def test_each_kind_reads_back_through_the_client_as_written(
    google_fake: GoogleFake, impersonate: Callable[..., Any], google_clients: GoogleClients
) -> None:
    corpus = small_corpus()
    ids = corpus.load_into(google_fake)
    ann = TEAM[0]
    in_ann = [m for m in corpus.messages if any(d.mailbox == ann for d in m.deliveries)]
    gmail_ids = dict(zip((id(m) for m in in_ann), ids[ann], strict=True))
    samples = {
        kind: next(m for m in in_ann if kind in m.kinds)
        for kind in (*KINDS, "charset:koi8-r", "charset:shift_jis")
    }
    users = google_clients.gmail(impersonate(ann)).users()
    users.getProfile(userId="me").execute()
    fetched: dict[str, Any] = {}
    batch = gmail_batch(google_fake, lambda rid, got, error: fetched.__setitem__(rid, got))
    for kind, message in samples.items():
        gmail_id = gmail_ids[id(message)]
        batch.add(
            users.messages().get(userId="me", id=gmail_id, format="full"), request_id=f"full {kind}"
        )
        batch.add(
            users.messages().get(userId="me", id=gmail_id, format="raw"), request_id=f"raw {kind}"
        )
    batch.execute()

    for kind, message in samples.items():
        assert base64.urlsafe_b64decode(fetched[f"raw {kind}"]["raw"]) == message.raw, kind
    full = {kind: fetched[f"full {kind}"]["payload"] for kind in samples}
    mime_types = {kind: {p["mimeType"] for p in parts(payload)} for kind, payload in full.items()}
    assert "text/plain" not in mime_types["html_only"]
    assert "text/html" in mime_types["html_only"]
    assert "message/rfc822" in mime_types["forward_attached"]
    inline = [p for p in parts(full["inline_image"]) if p["mimeType"] == "image/png"]
    assert header(inline[0], "Content-ID") is not None
    assert str(header(inline[0], "Content-Disposition")).startswith("inline")
    big = [p for p in parts(full["big_attachment"]) if p["filename"]]
    assert [p["body"]["size"] for p in big] == [BIG]
    assert header(full["charset:koi8-r"], "Subject") == "Отчёт за квартал"
    assert header(full["charset:shift_jis"], "Subject") == "四半期報告書について"
    assert header(full["no_message_id"], "Message-ID") is None
    assert full["malformed"]["mimeType"]  # parsed and served, broken as it is


def test_a_conversation_is_one_thread_and_a_team_message_is_in_three_mailboxes(
    google_fake: GoogleFake,
) -> None:
    corpus = generate_corpus(120, seed=5)
    ids = corpus.load_into(google_fake)

    shared = next(m for m in corpus.messages if "three_mailboxes" in m.kinds)
    holders = [
        mailbox
        for mailbox in TEAM
        if any(shared.raw == m.raw for m in google_fake.mailbox(mailbox).messages.values())
    ]
    assert holders == list(TEAM)
    for mailbox in TEAM:
        threads: dict[str, set[str]] = {}
        copies = [m for m in corpus.messages if any(d.mailbox == mailbox for d in m.deliveries)]
        for message, gmail_id in zip(copies, ids[mailbox], strict=True):
            thread = google_fake.mailbox(mailbox).get(gmail_id).thread_id
            threads.setdefault(message.thread_key, set()).add(thread)
        assert all(len(found) == 1 for found in threads.values())
        assert len({t for found in threads.values() for t in found}) == len(threads)
    assert sum(len(v) for v in ids.values()) == sum(corpus.copies(m) for m in TEAM)
