"""The searchable text: quoted replies and signatures cut, the full body kept."""

from __future__ import annotations

import pytest
from mail_samples import message, raw

from gmail_sync.messages import parse

LIMIT = 1024 * 1024

REPLIES = {
    "gmail": (
        "Sounds good, Tuesday works.\n\n"
        "On Mon, Mar 4, 2024 at 9:30 AM Bob Smith <bob@lp.example> wrote:\n\n"
        "> Can we meet next week?\n> Bob\n"
    ),
    "gmail wrapped header": (
        "Sounds good, Tuesday works.\n\n"
        "On Mon, Mar 4, 2024 at 9:30 AM Robert Smith-Jones, Chief Investment Officer <\n"
        "bob@lp.example> wrote:\n\n> Can we meet next week?\n"
    ),
    "outlook original message": (
        "Sounds good, Tuesday works.\n\n-----Original Message-----\nFrom: Bob Smith\n"
        "Sent: Monday, March 4, 2024 9:30 AM\nTo: Ann Lee\nSubject: Meeting\n\n"
        "Can we meet next week?\n"
    ),
    "outlook header block": (
        "Sounds good, Tuesday works.\n\n________________________________\n"
        "From: Bob Smith <bob@lp.example>\nSent: Monday, March 4, 2024 9:30 AM\n"
        "To: Ann Lee <ann@fund.example>\nSubject: Meeting\n\nCan we meet next week?\n"
    ),
    "apple mail": (
        "Sounds good, Tuesday works.\n\n"
        "> On 4 Mar 2024, at 09:30, Bob Smith <bob@lp.example> wrote:\n>\n"
        "> Can we meet next week?\n"
    ),
    "french": (
        "Sounds good, Tuesday works.\n\n"
        "Le lun. 4 mars 2024 à 09:30, Bob Smith <bob@lp.example> a écrit :\n"
        "> Can we meet next week?\n"
    ),
    "german": (
        "Sounds good, Tuesday works.\n\n"
        "Am 04.03.2024 um 09:30 schrieb Bob Smith <bob@lp.example>:\n> Can we meet next week?\n"
    ),
    "spanish": (
        "Sounds good, Tuesday works.\n\n"
        "El lun, 4 mar 2024 a las 9:30, Bob Smith (<bob@lp.example>) escribió:\n"
        "> Can we meet next week?\n"
    ),
    "bare quote lines": "> Can we meet next week?\nSounds good, Tuesday works.\n",
}


@pytest.mark.parametrize("style", list(REPLIES))
def test_a_quoted_reply_is_cut_from_the_searchable_text_and_kept_in_the_body(style: str) -> None:
    parsed = parse(raw(message(REPLIES[style])), max_attachment_bytes=LIMIT)

    assert parsed.searchable_text == "Sounds good, Tuesday works."
    assert "Can we meet next week?" in parsed.body_text


SIGNATURES = {
    "delimiter": "-- \nAnn Lee\nPartner, Example Fund\n+1 555 0100\n",
    "iphone": "Sent from my iPhone\n",
    "outlook mobile": "Get Outlook for iOS\n",
    "sign-off": "Best regards,\nAnn Lee\nPartner\n",
    "german sign-off": "Mit freundlichen Grüßen\nAnn Lee\n",
}


@pytest.mark.parametrize("kind", list(SIGNATURES))
def test_a_signature_is_cut_from_the_searchable_text(kind: str) -> None:
    body = "Hi Bob,\n\nThe side letter is signed.\n\n" + SIGNATURES[kind]

    parsed = parse(raw(message(body)), max_attachment_bytes=LIMIT)

    assert parsed.searchable_text == "Hi Bob,\n\nThe side letter is signed."
    assert parsed.body_text == body.strip()


def test_a_sign_off_word_inside_the_text_is_kept() -> None:
    body = (
        "Hi Bob,\n\nThanks, that works for us and we will wire on Friday.\n"
        "The notice goes out Monday.\n\nBest,\nAnn\n"
    )

    parsed = parse(raw(message(body)), max_attachment_bytes=LIMIT)

    assert parsed.searchable_text == (
        "Hi Bob,\n\nThanks, that works for us and we will wire on Friday.\n"
        "The notice goes out Monday."
    )


def test_a_list_of_dashes_is_not_a_signature() -> None:
    body = "Open points:\n- the fee offset\n- the MFN election\n"

    parsed = parse(raw(message(body)), max_attachment_bytes=LIMIT)

    assert parsed.searchable_text == body.strip()


HTML_REPLIES = {
    "gmail": (
        '<div dir="ltr">Sounds good, Tuesday works.<br><div class="gmail_signature">Ann Lee'
        '</div></div><br><div class="gmail_quote"><div class="gmail_attr">On Mon, Mar 4, 2024 '
        'Bob wrote:</div><blockquote class="gmail_quote">Can we meet next week?</blockquote>'
        "</div>"
    ),
    "apple mail": (
        '<div>Sounds good, Tuesday works.</div><div><br><blockquote type="cite"><div>On 4 Mar '
        "2024, Bob wrote:</div><div>Can we meet next week?</div></blockquote></div>"
    ),
    "outlook": (
        '<div>Sounds good, Tuesday works.</div><hr><div id="divRplyFwdMsg"><b>From:</b> Bob '
        "<br><b>Sent:</b> Monday</div><div>Can we meet next week?</div>"
    ),
}


@pytest.mark.parametrize("client", list(HTML_REPLIES))
def test_quoted_history_marked_up_in_html_is_cut(client: str) -> None:
    msg = message()
    msg.set_content(f"<html><body>{HTML_REPLIES[client]}</body></html>", subtype="html")

    parsed = parse(raw(msg), max_attachment_bytes=LIMIT)

    assert parsed.searchable_text == "Sounds good, Tuesday works."
    assert "Can we meet next week?" in parsed.body_text
