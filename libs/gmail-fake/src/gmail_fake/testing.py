"""Pytest fixtures for tests that talk to Google through the fake (loaded by the root
conftest.py), and the client set-up such tests share.

- `google_fake`: a started `GoogleFake` with the team's users, stopped after the test.
- `google_clients`: makes clients of the fake (`.gmail(credentials)`, `.calendar(...)`) and
  closes them after the test.
- `gmail_client(fake, credentials)` / `calendar_client(...)`: the real google-api-python-client
  pointed at the fake (static discovery, nothing fetched); `gmail_batch` a batch to it.
- `make_message(...)`: a plain RFC 822 message.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import pytest
from google.oauth2 import service_account
from googleapiclient.discovery import Resource, build
from googleapiclient.http import BatchHttpRequest

from gmail_fake.fake import GoogleFake
from gmail_fake.generator import TEAM

GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly"
CALENDAR_READONLY = "https://www.googleapis.com/auth/calendar.readonly"


def gmail_client(fake: GoogleFake, credentials: Any) -> Resource:
    return build(
        "gmail",
        "v1",
        credentials=credentials,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": fake.gmail_endpoint},
    )


def calendar_client(fake: GoogleFake, credentials: Any) -> Resource:
    return build(
        "calendar",
        "v3",
        credentials=credentials,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": fake.calendar_endpoint},
    )


def delegated_credentials(key: dict[str, str], user: str, scopes: list[str]) -> Any:
    """Service-account credentials from the key file's content, impersonating `user`."""
    # google-auth leaves this classmethod unannotated.
    base = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
        key, scopes=scopes
    )
    return base.with_subject(user)


def gmail_batch(fake: GoogleFake, callback: Any) -> BatchHttpRequest:
    """A batch to the fake: `new_batch_http_request()` ignores the api_endpoint (see batch)."""
    return BatchHttpRequest(callback=callback, batch_uri=fake.batch_uri)


class GoogleClients:
    """Clients of one test, closed after it (httplib2 keeps its connections open till then)."""

    def __init__(self, fake: GoogleFake) -> None:
        self.fake = fake
        self._opened: list[Resource] = []

    def gmail(self, credentials: Any) -> Resource:
        client = gmail_client(self.fake, credentials)
        self._opened.append(client)
        return client

    def calendar(self, credentials: Any) -> Resource:
        client = calendar_client(self.fake, credentials)
        self._opened.append(client)
        return client

    def close(self) -> None:
        for client in self._opened:
            client.close()
        self._opened.clear()


@pytest.fixture
def google_fake() -> Iterator[GoogleFake]:
    fake = GoogleFake()
    for user in TEAM:
        fake.add_user(user)
    with fake:
        yield fake


def make_message(
    *,
    subject: str = "Fund III capital call",
    sender: str = "Alice Adams <alice.adams@northpeak-capital.example>",
    to: str = "ann@fund.example",
    body: str = "Hello,\nthe capital call notice is attached.\n",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    attachment: tuple[str, bytes] | None = None,
) -> bytes:
    """A plain RFC 822 message, with one attachment (name, bytes) when given."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2025, 3, 3, 9, 30, tzinfo=UTC))
    if message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body)
    if attachment is not None:
        name, data = attachment
        message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return message.as_bytes()


@pytest.fixture
def google_clients(google_fake: GoogleFake) -> Iterator[GoogleClients]:
    clients = GoogleClients(google_fake)
    yield clients
    clients.close()
