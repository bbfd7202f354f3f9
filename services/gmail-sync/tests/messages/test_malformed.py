"""Malformed MIME never raises: what can be read is read, and `defects` says what was wrong."""

from __future__ import annotations

import random

import pytest
from mail_samples import message, raw

from gmail_sync.messages import parse

LIMIT = 1024 * 1024


def test_a_multipart_without_a_boundary_parameter_is_read_with_its_first_delimiter() -> None:
    data = (
        b"From: a@lp.example\r\nContent-Type: multipart/mixed\r\n\r\n"
        b"--frontier\r\nContent-Type: text/plain\r\n\r\nThe body.\r\n"
        b"--frontier\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="terms.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjc=\r\n--frontier--\r\n"
    )

    parsed = parse(data, max_attachment_bytes=LIMIT)

    assert parsed.body_text == "The body."
    assert [(a.filename, a.content) for a in parsed.attachments] == [("terms.pdf", b"%PDF-1.7")]
    assert any("boundary" in defect for defect in parsed.defects)


def test_a_multipart_with_no_delimiter_at_all_is_read_as_text() -> None:
    data = b"From: a@lp.example\r\nContent-Type: multipart/alternative\r\n\r\nJust words.\r\n"

    parsed = parse(data, max_attachment_bytes=LIMIT)

    assert parsed.body_text == "Just words."
    assert parsed.defects


def test_a_truncated_multipart_keeps_the_parts_it_has() -> None:
    msg = message("Top text.\n")
    msg.add_attachment(b"x" * 300, maintype="application", subtype="pdf", filename="cut.pdf")
    data = raw(msg)
    cut = data[: data.index(b"--", data.index(b"cut.pdf")) - 40]

    parsed = parse(cut, max_attachment_bytes=LIMIT)

    assert parsed.body_text == "Top text."
    assert [a.filename for a in parsed.attachments] == ["cut.pdf"]
    assert any("CloseBoundaryNotFound" in defect for defect in parsed.defects)


def test_bad_base64_is_decoded_leniently_and_noted() -> None:
    data = (
        b"From: a@lp.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"SGVs$$bG8g*d29y\r\nbGQ\r\n--b--\r\n"
    )

    parsed = parse(data, max_attachment_bytes=LIMIT)

    assert parsed.body_text.startswith("Hello wor")
    assert any("Base64" in defect for defect in parsed.defects)


def test_an_undecodable_utf8_body_keeps_what_decodes() -> None:
    data = (
        b"From: a@lp.example\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"caf\xc3\xa9 \xff\xfe ok\r\n"
    )

    parsed = parse(data, max_attachment_bytes=LIMIT)

    assert parsed.body_text == "café \ufffd\ufffd ok"
    assert any("U+FFFD" in defect for defect in parsed.defects)


def test_headers_only_and_empty_input_parse_to_empty_messages() -> None:
    for data in (b"", b"Subject: hi\r\n", b"\r\n\r\n", b"not a header at all"):
        parsed = parse(data, max_attachment_bytes=LIMIT)
        assert parsed.attachments == ()
        assert parsed.message_id is None


@pytest.mark.parametrize("seed", range(20))
def test_mangled_messages_never_raise(seed: int) -> None:
    msg = message("Body with ümlauts.\n", charset="utf-8")
    msg.add_alternative("<p>Hi <b>there</b></p>", subtype="html")
    msg.add_attachment(b"%PDF" * 200, maintype="application", subtype="pdf", filename="a.pdf")
    attached = message("Inner.\n", subject="Inner")
    msg.add_attachment(attached)
    data = bytearray(raw(msg))
    rng = random.Random(seed)
    for _ in range(40):
        position = rng.randrange(len(data))
        data[position : position + rng.randrange(1, 8)] = rng.randbytes(rng.randrange(0, 8))

    parsed = parse(bytes(data), max_attachment_bytes=LIMIT)

    assert isinstance(parsed.body_text, str)
    assert all(len(a.sha256) == 64 for a in parsed.attachments)


def test_a_multipart_whose_only_delimiter_closes_it_is_read_as_text() -> None:
    data = b"From: a@lp.example\r\nContent-Type: multipart/mixed\r\n\r\nSome text.\r\n--abc--\r\n"

    parsed = parse(data, max_attachment_bytes=LIMIT)

    assert parsed.body_text.startswith("Some text.")
    assert any("boundary" in defect for defect in parsed.defects)


def test_control_characters_in_html_are_dropped() -> None:
    data = (
        b"From: a@lp.example\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<p>Top\x00 line\x01</p>\x0b<div class='gmail_quote'>old\x02</div>tail\x1f"
    )

    parsed = parse(data, max_attachment_bytes=LIMIT)

    assert parsed.searchable_text == "Top line\n\ntail"
    assert "old" in parsed.body_text


def test_a_mangled_multipart_type_is_repaired_at_most_once() -> None:
    data = (
        b'From: a@lp.example\r\nContent-Type: multipart/mi\xe9\xff(; boundary="gone"\r\n\r\n'
        b"--other\r\nContent-Type: text/plain\r\n\r\nInside.\r\n--other--\r\n"
    )

    parsed = parse(data, max_attachment_bytes=LIMIT)

    assert parsed.body_text == "Inside."
    assert any("boundary" in defect for defect in parsed.defects)
