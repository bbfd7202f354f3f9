"""Test messages built with the standard library's `email` package, as bytes the way Gmail's
`format=raw` returns them. Plain functions with defaults; a test names only what it is about."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

SENT = datetime(2024, 3, 4, 9, 30, tzinfo=UTC)


def message(
    body: str = "Hello Ann,\n\nThe subscription documents are attached.\n",
    *,
    subject: str = "Fund IV subscription",
    sender: str = "Bob Smith <bob@lp.example>",
    to: str = "Ann Lee <ann@fund.example>",
    charset: str = "utf-8",
    sent_at: datetime | None = SENT,
    message_id: str | None = "<root-1@lp.example>",
    extra: dict[str, str] | None = None,
) -> EmailMessage:
    """A single-part text/plain message; add parts with `add_alternative` / `add_attachment`."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    if sent_at is not None:
        msg["Date"] = format_datetime(sent_at)
    if message_id is not None:
        msg["Message-ID"] = message_id
    for name, value in (extra or {}).items():
        msg[name] = value
    msg.set_content(body, charset=charset)
    return msg


def raw(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=policy.SMTP)


def new_id() -> str:
    return make_msgid(domain="lp.example")
