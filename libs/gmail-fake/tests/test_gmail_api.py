"""Gmail v1 through the real google-api-python-client: listing, getting, history, labels."""

from __future__ import annotations

import base64
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from gmail_fake import GoogleFake
from gmail_fake.testing import (
    GMAIL_READONLY,
    GoogleClients,
    delegated_credentials,
    gmail_client,
    make_message,
)

ANN = "ann@fund.example"
BEN = "ben@fund.example"
START = datetime(2025, 3, 1, tzinfo=UTC)
GMAIL_METADATA = "https://www.googleapis.com/auth/gmail.metadata"


def b64decode(data: str) -> bytes:
    return base64.urlsafe_b64decode(data)


def fill(fake: GoogleFake, count: int, user: str = ANN) -> list[str]:
    """`count` messages an hour apart; their Gmail ids, oldest first."""
    return [
        fake.add_message(
            user,
            make_message(subject=f"Note {i}", message_id=f"<note-{i}@northpeak.example>"),
            internal_date=START + timedelta(hours=i),
        ).id
        for i in range(count)
    ]


def all_pages(gmail: Any, **params: Any) -> list[dict[str, Any]]:
    messages = gmail.users().messages()
    request = messages.list(userId="me", **params)
    pages = []
    while request is not None:
        page = request.execute()
        pages.append(page)
        request = messages.list_next(request, page)
    return pages


def test_listing_pages_through_three_pages_newest_first(
    google_fake: GoogleFake,
    impersonate: Callable[..., Any],
    google_clients: GoogleClients,
) -> None:
    ids = fill(google_fake, 25)
    gmail = google_clients.gmail(impersonate(ANN))

    pages = all_pages(gmail, maxResults=10)

    assert [len(page["messages"]) for page in pages] == [10, 10, 5]
    assert "nextPageToken" not in pages[-1]
    listed = [m["id"] for page in pages for m in page["messages"]]
    assert listed == list(reversed(ids))
    assert pages[0]["resultSizeEstimate"] == 25


def test_raw_and_full_formats_give_the_message_as_added(
    google_fake: GoogleFake,
    impersonate: Callable[..., Any],
    google_clients: GoogleClients,
) -> None:
    raw = make_message(
        subject="=?utf-8?q?Z=C3=BCrich_meeting?=", body="See you in Zürich.\n", message_id="<z@x>"
    )
    stored = google_fake.add_message(ANN, raw, label_ids=["INBOX"], internal_date=START)
    gmail = google_clients.gmail(impersonate(ANN))

    as_raw = gmail.users().messages().get(userId="me", id=stored.id, format="raw").execute()
    full = gmail.users().messages().get(userId="me", id=stored.id, format="full").execute()

    assert b64decode(as_raw["raw"]) == raw
    assert as_raw["internalDate"] == str(int(START.timestamp() * 1000))
    assert as_raw["labelIds"] == ["INBOX"]
    headers = {h["name"]: h["value"] for h in full["payload"]["headers"]}
    assert headers["Subject"] == "Zürich meeting"
    assert full["payload"]["mimeType"] == "text/plain"
    assert b64decode(full["payload"]["body"]["data"]).decode() == "See you in Zürich.\n"
    assert full["snippet"] == "See you in Zürich."
    assert full["historyId"] == str(stored.history_id)


def test_attachments_come_by_id_and_big_bodies_too(impersonate: Callable[..., Any]) -> None:
    pdf = b"%PDF-1.7 " + bytes(range(256)) * 40
    long_text = "A long letter.\n" * 200
    with ExitStack() as stack:
        fake = stack.enter_context(GoogleFake(inline_limit=1024))
        fake.add_user(ANN)
        key = fake.add_service_account("sa@test.iam.example")
        creds = delegated_credentials(key, ANN, [GMAIL_READONLY])
        stored = fake.add_message(
            ANN, make_message(body=long_text, attachment=("call.pdf", pdf), message_id="<a@x>")
        )
        gmail = stack.enter_context(gmail_client(fake, creds))

        full = gmail.users().messages().get(userId="me", id=stored.id).execute()
        text_part, pdf_part = full["payload"]["parts"]
        attachments = gmail.users().messages().attachments()
        fetched_pdf = attachments.get(
            userId="me", messageId=stored.id, id=pdf_part["body"]["attachmentId"]
        ).execute()
        fetched_text = attachments.get(
            userId="me", messageId=stored.id, id=text_part["body"]["attachmentId"]
        ).execute()

    assert full["payload"]["mimeType"] == "multipart/mixed"
    assert [p["partId"] for p in full["payload"]["parts"]] == ["0", "1"]
    assert pdf_part["filename"] == "call.pdf"
    assert "data" not in pdf_part["body"]
    assert pdf_part["body"]["size"] == len(pdf)
    assert b64decode(fetched_pdf["data"]) == pdf
    assert fetched_pdf["size"] == len(pdf)
    assert b64decode(fetched_text["data"]).decode() == long_text


def test_metadata_and_minimal_formats_leave_the_body_out(
    google_fake: GoogleFake,
    impersonate: Callable[..., Any],
    google_clients: GoogleClients,
) -> None:
    (message_id,) = fill(google_fake, 1)
    messages = google_clients.gmail(impersonate(ANN)).users().messages()

    metadata = messages.get(
        userId="me", id=message_id, format="metadata", metadataHeaders=["Subject", "From"]
    ).execute()
    minimal = messages.get(userId="me", id=message_id, format="minimal").execute()

    assert sorted(h["name"] for h in metadata["payload"]["headers"]) == ["From", "Subject"]
    assert "parts" not in metadata["payload"]
    assert "payload" not in minimal
    assert "raw" not in minimal
    assert minimal["threadId"] == message_id


def test_history_reports_added_relabelled_and_deleted_messages(
    google_fake: GoogleFake,
    impersonate: Callable[..., Any],
    google_clients: GoogleClients,
) -> None:
    first, second = fill(google_fake, 2)
    gmail = google_clients.gmail(impersonate(ANN))
    start = gmail.users().getProfile(userId="me").execute()["historyId"]

    (added,) = fill(google_fake, 1)
    google_fake.modify_message(ANN, first, add=["STARRED"], remove=["UNREAD"])
    google_fake.delete_message(ANN, second)
    history = gmail.users().history()
    everything = history.list(userId="me", startHistoryId=start).execute()
    only_labels = history.list(
        userId="me", startHistoryId=start, historyTypes=["labelAdded", "labelRemoved"]
    ).execute()
    starred = history.list(userId="me", startHistoryId=start, labelId="STARRED").execute()

    records = everything["history"]
    assert [next(k for k in r if k not in ("id", "messages")) for r in records] == [
        "messagesAdded",
        "labelsAdded",
        "labelsRemoved",
        "messagesDeleted",
    ]
    assert records[0]["messagesAdded"][0]["message"]["id"] == added
    assert records[1]["labelsAdded"][0]["labelIds"] == ["STARRED"]
    assert records[2]["labelsRemoved"][0]["message"]["labelIds"] == ["INBOX", "STARRED"]
    assert records[3]["messagesDeleted"][0]["message"]["id"] == second
    assert [int(r["id"]) for r in records] == sorted(int(r["id"]) for r in records)
    assert everything["historyId"] == records[-1]["id"]
    assert len(only_labels["history"]) == 2
    assert [r["id"] for r in starred["history"]] == [records[1]["id"], records[2]["id"]]
    with pytest.raises(HttpError) as gone:
        gmail.users().messages().get(userId="me", id=second).execute()
    assert gone.value.status_code == 404


def test_history_pages_and_answers_nothing_new_without_a_history_key(
    google_fake: GoogleFake,
    impersonate: Callable[..., Any],
    google_clients: GoogleClients,
) -> None:
    gmail = google_clients.gmail(impersonate(ANN))
    start = gmail.users().getProfile(userId="me").execute()["historyId"]
    fill(google_fake, 7)
    history = gmail.users().history()

    request = history.list(userId="me", startHistoryId=start, maxResults=3)
    seen = []
    while request is not None:
        page = request.execute()
        seen += [r["id"] for r in page["history"]]
        request = history.list_next(request, page)
    latest = gmail.users().getProfile(userId="me").execute()["historyId"]
    quiet = history.list(userId="me", startHistoryId=latest).execute()

    assert len(seen) == len(set(seen)) == 7
    assert quiet == {"historyId": latest}


def test_history_older_than_what_is_kept_answers_404(
    google_fake: GoogleFake,
    impersonate: Callable[..., Any],
    google_clients: GoogleClients,
) -> None:
    gmail = google_clients.gmail(impersonate(ANN))
    start = int(gmail.users().getProfile(userId="me").execute()["historyId"])
    fill(google_fake, 5)
    google_fake.forget_history(ANN, before=start + 3)

    with pytest.raises(HttpError) as expired:
        gmail.users().history().list(userId="me", startHistoryId=str(start)).execute()
    kept = gmail.users().history().list(userId="me", startHistoryId=str(start + 2)).execute()

    assert expired.value.status_code == 404
    assert len(kept["history"]) == 3


def test_labels_list_and_get_count_the_messages(
    google_fake: GoogleFake,
    impersonate: Callable[..., Any],
    google_clients: GoogleClients,
) -> None:
    label = google_fake.create_label(ANN, "LP/Northpeak")
    first, _ = fill(google_fake, 2)
    google_fake.modify_message(ANN, first, add=[label.id], remove=["UNREAD"])
    labels = google_clients.gmail(impersonate(ANN)).users().labels()

    listed = labels.list(userId="me").execute()["labels"]
    inbox = labels.get(userId="me", id="INBOX").execute()
    mine = labels.get(userId="me", id=label.id).execute()

    assert {"id": label.id, "name": "LP/Northpeak", "type": "user"}.items() <= next(
        entry for entry in listed if entry["id"] == label.id
    ).items()
    assert {"INBOX", "SENT", "TRASH", "SPAM"} <= {entry["id"] for entry in listed}
    assert (inbox["messagesTotal"], inbox["messagesUnread"]) == (2, 1)
    assert mine["messagesTotal"] == 1


def test_queries_and_label_filters_narrow_the_listing(
    google_fake: GoogleFake,
    impersonate: Callable[..., Any],
    google_clients: GoogleClients,
) -> None:
    plain = google_fake.add_message(ANN, make_message(subject="Plain"), internal_date=START)
    with_pdf = google_fake.add_message(
        ANN,
        make_message(subject="With PDF", attachment=("a.pdf", b"%PDF"), sender="bob@lp.example"),
        internal_date=START + timedelta(days=2),
    )
    spam = google_fake.add_message(
        ANN, make_message(subject="Spam"), label_ids=["SPAM"], internal_date=START
    )
    messages = google_clients.gmail(impersonate(ANN)).users().messages()

    def listed(**params: Any) -> set[str]:
        return {m["id"] for m in messages.list(userId="me", **params).execute().get("messages", [])}

    assert listed() == {plain.id, with_pdf.id}
    assert listed(includeSpamTrash=True) == {plain.id, with_pdf.id, spam.id}
    assert listed(labelIds=["SPAM"], includeSpamTrash=True) == {spam.id}
    assert listed(q="has:attachment") == {with_pdf.id}
    assert listed(q="from:bob@lp.example after:2025/03/02") == {with_pdf.id}
    assert listed(q="-has:attachment") == {plain.id}
    assert listed(q='subject:"with pdf"') == {with_pdf.id}
    assert listed(q="before:2025/03/02 in:anywhere") == {plain.id, spam.id}
    with pytest.raises(HttpError) as unknown:
        messages.list(userId="me", q="filename:pdf").execute()
    assert unknown.value.status_code == 400


def test_a_reply_joins_the_thread_of_the_message_it_references(
    google_fake: GoogleFake,
    impersonate: Callable[..., Any],
    google_clients: GoogleClients,
) -> None:
    first = google_fake.add_message(ANN, make_message(message_id="<root@lp.example>"))
    reply = google_fake.add_message(
        ANN, make_message(message_id="<reply@fund.example>", in_reply_to="<root@lp.example>")
    )
    other = google_fake.add_message(ANN, make_message(message_id="<other@lp.example>"))
    messages = google_clients.gmail(impersonate(ANN)).users().messages()

    threads = {m["id"]: m["threadId"] for m in messages.list(userId="me").execute()["messages"]}

    assert threads[reply.id] == threads[first.id] == first.id
    assert threads[other.id] == other.id


def test_a_user_reads_only_their_own_mailbox(
    google_fake: GoogleFake,
    impersonate: Callable[..., Any],
    google_clients: GoogleClients,
) -> None:
    fill(google_fake, 1, user=BEN)
    gmail = google_clients.gmail(impersonate(ANN))

    own = gmail.users().messages().list(userId=ANN).execute()
    with pytest.raises(HttpError) as denied:
        gmail.users().messages().list(userId=BEN).execute()

    assert own == {"resultSizeEstimate": 0}
    assert denied.value.status_code == 403


def test_the_metadata_scope_refuses_bodies(
    google_fake: GoogleFake,
    impersonate: Callable[..., Any],
    google_clients: GoogleClients,
) -> None:
    (message_id,) = fill(google_fake, 1)
    key = google_fake.add_service_account("metadata@test.iam.example", scopes=[GMAIL_METADATA])
    creds = delegated_credentials(key, ANN, [GMAIL_METADATA])
    messages = google_clients.gmail(creds).users().messages()

    headers_only = messages.get(userId="me", id=message_id, format="metadata").execute()
    with pytest.raises(HttpError) as refused:
        messages.get(userId="me", id=message_id, format="full").execute()

    assert headers_only["id"] == message_id
    assert refused.value.status_code == 403


@pytest.mark.parametrize(
    "raw",
    [
        b"Subject: no body at all\n",
        b"Content-Type: multipart/mixed\nSubject: a multipart without a boundary\n\ntext",
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nopen',
        b"Content-Type: text/plain; charset=x-bogus\nSubject: =?x-bogus?q?abc?=\n\n\xff\xfe",
        b"Content-Transfer-Encoding: base64\nSubject: bad base64\n\n!!!not base64",
        b"Content-Type: message/rfc822\n\n",
    ],
    ids=[
        "headers only",
        "no boundary",
        "unclosed",
        "unknown charset",
        "bad base64",
        "empty rfc822",
    ],
)
def test_malformed_mime_is_served_as_found(
    google_fake: GoogleFake,
    impersonate: Callable[..., Any],
    google_clients: GoogleClients,
    raw: bytes,
) -> None:
    stored = google_fake.add_message(ANN, raw)
    messages = google_clients.gmail(impersonate(ANN)).users().messages()

    full = messages.get(userId="me", id=stored.id, format="full").execute()
    as_raw = messages.get(userId="me", id=stored.id, format="raw").execute()

    assert full["payload"]["partId"] == ""
    assert b64decode(as_raw["raw"]) == raw
