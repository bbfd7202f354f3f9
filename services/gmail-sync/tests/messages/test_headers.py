"""Headers: RFC 2047 in every charset, 8-bit bytes, addresses, dates and message ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.header import Header

import pytest
from mail_samples import message, raw

from gmail_sync.messages import Address, parse, synthetic_message_id

LIMIT = 1024 * 1024

SAMPLES = {
    "iso-8859-1": "Réunion à Genève – prévue",
    "windows-1252": "“Quoted” offer – €5m",
    "shift_jis": "ファンドの資料について",
    "koi8-r": "Привет из Москвы",
    "utf-8": "Zürich 東京 Москва 🚀",
}


@pytest.mark.parametrize("charset", list(SAMPLES))
def test_an_encoded_subject_and_display_name_decode_in_every_charset(charset: str) -> None:
    text = SAMPLES[charset].replace("–", "-") if charset == "iso-8859-1" else SAMPLES[charset]
    msg = message(sender="x@y.example")
    msg.replace_header("Subject", Header(text, charset).encode())
    msg.replace_header("From", f"{Header(text, charset).encode()} <Sender@LP.Example>")

    parsed = parse(raw(msg), max_attachment_bytes=LIMIT)

    assert parsed.subject == text
    assert parsed.sender == (Address("Sender@lp.example", text),)


def test_raw_utf8_bytes_in_headers_are_read_as_utf8() -> None:
    data = (
        "From: Jürgen Groß <j@lp.example>\r\nTo: Zoë <zoe@fund.example>\r\n"
        "Subject: Über die Zeichnung\r\nMessage-ID: <u@lp.example>\r\n\r\nHallo\r\n"
    ).encode()

    parsed = parse(data, max_attachment_bytes=LIMIT)

    assert parsed.subject == "Über die Zeichnung"
    assert parsed.sender == (Address("j@lp.example", "Jürgen Groß"),)
    assert parsed.to == (Address("zoe@fund.example", "Zoë"),)


def test_raw_latin1_bytes_in_a_header_fall_back_to_windows_1252() -> None:
    data = b"From: a@lp.example\r\nSubject: R\xe9union \x93demain\x94\r\n\r\nx\r\n"

    assert parse(data, max_attachment_bytes=LIMIT).subject == "Réunion “demain”"


def test_broken_encoded_words_degrade_to_replacement_characters() -> None:
    data = (
        b"From: a@lp.example\r\nSubject: =?x-unknown?Q?caf=E9?= and =?utf-8?B?!!!?= ok\r\n\r\nx\r\n"
    )

    parsed = parse(data, max_attachment_bytes=LIMIT)

    assert parsed.subject.startswith("caf\ufffd and ")
    assert parsed.subject.endswith(" ok")
    assert parsed.defects


def test_addresses_are_lists_of_address_and_name_with_the_domain_lower_cased() -> None:
    msg = message(
        to='"Lee, Ann" <Ann.Lee@Fund.EXAMPLE>, carl@FUND.example',
        extra={
            "Cc": "Partners: dana@fund.example, eve@fund.example;",
            "Bcc": "log@Fund.Example",
            "Reply-To": "Assistant <assist@LP.example>",
            "Delivered-To": "ann.lee@fund.example",
        },
    )

    parsed = parse(raw(msg), max_attachment_bytes=LIMIT)

    assert parsed.sender == (Address("bob@lp.example", "Bob Smith"),)
    assert parsed.to == (
        Address("Ann.Lee@fund.example", "Lee, Ann"),
        Address("carl@fund.example"),
    )
    assert parsed.cc == (Address("dana@fund.example"), Address("eve@fund.example"))
    assert parsed.bcc == (Address("log@fund.example"),)
    assert parsed.reply_to == (Address("assist@lp.example", "Assistant"),)
    assert parsed.delivered_to == (Address("ann.lee@fund.example"),)


def test_entries_without_a_domain_are_dropped_and_noted() -> None:
    data = b"From: a@lp.example\r\nTo: undisclosed-recipients:;, bad@@, ok@fund.example\r\n\r\nx"

    parsed = parse(data, max_attachment_bytes=LIMIT)

    assert parsed.to == (Address("ok@fund.example"),)
    assert parsed.defects


def test_the_date_is_an_aware_datetime() -> None:
    msg = message(sent_at=None, extra={"Date": "Mon, 4 Mar 2024 10:30:00 +0100"})

    sent_at = parse(raw(msg), max_attachment_bytes=LIMIT).sent_at

    assert sent_at == datetime(2024, 3, 4, 9, 30, tzinfo=UTC)
    assert sent_at is not None
    assert sent_at.utcoffset() == timedelta(hours=1)


def test_a_date_without_a_known_zone_is_utc() -> None:
    msg = message(sent_at=None, extra={"Date": "Mon, 4 Mar 2024 10:30:00 -0000"})

    assert parse(raw(msg), max_attachment_bytes=LIMIT).sent_at == datetime(
        2024, 3, 4, 10, 30, tzinfo=UTC
    )


@pytest.mark.parametrize("date", [None, "garbage", "Mon, 4 Mar 1901 10:30:00 +0000", "99999"])
def test_a_missing_or_unreadable_date_is_none(date: str | None) -> None:
    msg = message(sent_at=None, extra={"Date": date} if date else None)

    assert parse(raw(msg), max_attachment_bytes=LIMIT).sent_at is None


def test_message_ids_are_normalised_to_angle_bracket_ids() -> None:
    data = (
        b"From: a@lp.example\r\nMessage-ID:   <abc.123@LP.example>  (comment)\r\n"
        b"In-Reply-To: parent@lp.example\r\n"
        b"References: <root@lp.example>\r\n <mid@lp.example>\r\n\t<parent@lp.example>\r\n"
        b"References: <root@lp.example>\r\n\r\nx"
    )

    parsed = parse(data, max_attachment_bytes=LIMIT)

    assert parsed.message_id == "<abc.123@LP.example>"
    assert parsed.in_reply_to == "<parent@lp.example>"
    assert parsed.references == ("<root@lp.example>", "<mid@lp.example>", "<parent@lp.example>")


def test_a_message_without_message_id_has_none() -> None:
    parsed = parse(raw(message(message_id=None)), max_attachment_bytes=LIMIT)

    assert parsed.message_id is None
    assert parsed.in_reply_to is None
    assert parsed.references == ()


def test_the_synthetic_message_id_is_stable_per_mailbox_and_gmail_id() -> None:
    first = synthetic_message_id(gmail_id="18c1f2", mailbox="Ann@fund.example")

    assert first == synthetic_message_id(gmail_id="18c1f2", mailbox="ann@fund.example")
    assert first != synthetic_message_id(gmail_id="18c1f2", mailbox="bob@fund.example")
    assert first != synthetic_message_id(gmail_id="18c1f3", mailbox="ann@fund.example")
    assert first.startswith("<")
    assert first.endswith("@gmail-sync.invalid>")
