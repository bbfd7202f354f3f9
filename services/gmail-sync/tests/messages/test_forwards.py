"""Forwards, for the logging address: attached messages and inline forward blocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from mail_samples import message, raw

from gmail_sync.messages import Address, parse

LIMIT = 1024 * 1024
PARIS = timezone(timedelta(hours=1))


def test_an_attached_message_is_a_forward_with_its_own_headers_and_files() -> None:
    original = message(
        "Please find the capital call notice attached.\n",
        subject="Capital call #3",
        sender="Carol Diaz <carol@LP.example>",
        to="ann@fund.example",
        message_id="<call-3@lp.example>",
    )
    original.add_attachment(b"%PDF notice", maintype="application", subtype="pdf", filename="n.pdf")
    outer = message("FYI, see below.\n", subject="Fwd: Capital call #3", sender="ann@fund.example")
    outer.add_attachment(original)

    parsed = parse(raw(outer), max_attachment_bytes=LIMIT)

    (forwarded,) = parsed.forwarded
    assert forwarded.is_attached
    assert forwarded.sender == Address("carol@lp.example", "Carol Diaz")
    assert forwarded.to == (Address("ann@fund.example"),)
    assert forwarded.subject == "Capital call #3"
    assert forwarded.message_id == "<call-3@lp.example>"
    assert forwarded.sent_at == datetime(2024, 3, 4, 9, 30, tzinfo=UTC)
    assert forwarded.text == "Please find the capital call notice attached."
    assert parsed.body_text == "FYI, see below."
    assert [a.filename for a in parsed.attachments] == ["n.pdf"]


def test_a_gmail_inline_forward_is_read_with_the_date_in_the_forwarders_zone() -> None:
    body = (
        "Logging this one.\n\n"
        "---------- Forwarded message ---------\n"
        "From: Carol Diaz <carol@lp.example>\n"
        "Date: Mon, Mar 4, 2024 at 9:30 AM\n"
        "Subject: Capital call #3\n"
        "To: Ann Lee <ann@fund.example>, Bob <bob@fund.example>\n"
        "Cc: <ops@lp.example>\n\n"
        "Please find the notice attached.\n"
    )
    paris = datetime(2024, 3, 5, 8, 0, tzinfo=PARIS)
    msg = message(body, subject="Fwd: Capital call #3", sent_at=paris)

    (forwarded,) = parse(raw(msg), max_attachment_bytes=LIMIT).forwarded

    assert not forwarded.is_attached
    assert forwarded.sender == Address("carol@lp.example", "Carol Diaz")
    assert forwarded.to == (
        Address("ann@fund.example", "Ann Lee"),
        Address("bob@fund.example", "Bob"),
    )
    assert forwarded.cc == (Address("ops@lp.example"),)
    assert forwarded.subject == "Capital call #3"
    assert forwarded.sent_at == datetime(2024, 3, 4, 9, 30, tzinfo=PARIS)
    assert forwarded.text == "Please find the notice attached."


def test_an_outlook_forward_is_read_when_the_subject_says_forward() -> None:
    body = (
        "For the CRM.\n\n________________________________\n"
        "From: Carol Diaz [mailto:carol@lp.example]\n"
        "Sent: Monday, March 4, 2024 9:30 AM\n"
        "To: Ann Lee\n"
        "Subject: Capital call #3\n\nPlease find the notice attached.\n"
    )

    (forwarded,) = parse(
        raw(message(body, subject="FW: Capital call #3")), max_attachment_bytes=LIMIT
    ).forwarded

    assert forwarded.sender == Address("carol@lp.example", "Carol Diaz")
    assert forwarded.sent_at == datetime(2024, 3, 4, 9, 30, tzinfo=UTC)
    assert forwarded.subject == "Capital call #3"
    assert forwarded.text == "Please find the notice attached."


def test_an_outlook_header_block_in_a_reply_is_not_a_forward() -> None:
    body = (
        "Agreed.\n\n________________________________\nFrom: Carol Diaz <carol@lp.example>\n"
        "Sent: Monday, March 4, 2024 9:30 AM\nTo: Ann Lee\nSubject: Terms\n\nOld text.\n"
    )

    parsed = parse(raw(message(body, subject="RE: Terms")), max_attachment_bytes=LIMIT)

    assert parsed.forwarded == ()


def test_an_apple_mail_forward_keeps_a_written_zone() -> None:
    body = (
        "FYI\n\nBegin forwarded message:\n\n"
        "From: Carol Diaz <carol@lp.example>\n"
        "Subject: Capital call #3\n"
        "Date: 4 March 2024 at 09:30:00 GMT+1\n"
        "To: Ann Lee <ann@fund.example>\n"
        "Message-Id: <call-3@lp.example>\n\n"
        "Please find the notice attached.\n"
    )

    (forwarded,) = parse(raw(message(body, subject="Fwd: x")), max_attachment_bytes=LIMIT).forwarded

    assert forwarded.sender == Address("carol@lp.example", "Carol Diaz")
    assert forwarded.message_id == "<call-3@lp.example>"
    assert forwarded.sent_at is not None
    assert forwarded.sent_at.astimezone(UTC) == datetime(2024, 3, 4, 8, 30, tzinfo=UTC)


def test_a_forward_in_an_html_only_message_is_read_from_its_text() -> None:
    msg = message()
    msg.set_content(
        "<div>Logging this.</div><div class='gmail_quote'>---------- Forwarded message "
        "---------<br>From: <strong>Carol Diaz</strong> &lt;carol@lp.example&gt;<br>"
        "Date: Mon, Mar 4, 2024 at 9:30 AM<br>Subject: Capital call #3<br>To: &lt;ann@fund.example"
        "&gt;<br><br><div>Please find the notice attached.</div></div>",
        subtype="html",
    )

    parsed = parse(raw(msg), max_attachment_bytes=LIMIT)

    (forwarded,) = parsed.forwarded
    assert forwarded.sender == Address("carol@lp.example", "Carol Diaz")
    assert forwarded.subject == "Capital call #3"
    assert forwarded.text == "Please find the notice attached."
    assert parsed.searchable_text == "Logging this."


def test_nested_inline_forwards_are_each_read() -> None:
    body = (
        "---------- Forwarded message ---------\nFrom: Bob <bob@fund.example>\n"
        "Date: Tue, 5 Mar 2024 10:00:00 +0000\nSubject: Fwd: Terms\n\nSee Carol's note.\n\n"
        "---------- Forwarded message ---------\nFrom: Carol <carol@lp.example>\n"
        "Date: Mon, 4 Mar 2024 09:30:00 +0000\nSubject: Terms\n\nOur terms.\n"
    )

    forwards = parse(raw(message(body, subject="Fwd: Fwd: Terms")), max_attachment_bytes=LIMIT)

    assert [(f.sender, f.text) for f in forwards.forwarded] == [
        (Address("bob@fund.example", "Bob"), "See Carol's note."),
        (Address("carol@lp.example", "Carol"), "Our terms."),
    ]


def test_a_plain_message_has_no_forward() -> None:
    assert parse(raw(message()), max_attachment_bytes=LIMIT).forwarded == ()
