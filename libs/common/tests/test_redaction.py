"""Sensitive values become typed placeholders; everything else is left as written."""

from __future__ import annotations

import pytest

from crm_common.redaction.detectors import aba_ok, find_sensitive, iban_ok, luhn_ok
from crm_common.redaction.fields import markers_in, redact_fields

WIRE = (
    "Wire instructions: Bank of Example, ABA routing 021000021, account number 123456789012, "
    "SWIFT: CHASUS33XXX, for further credit to acct 9876543210."
)


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("routing no. 021000021", "ROUTING_NUMBER", "021000021"),
        ("ABA: 026009593 for the wire", "ROUTING_NUMBER", "026009593"),
        ("account # 00012345678", "ACCOUNT_NUMBER", "00012345678"),
        ("acct 4400-1234-5678", "ACCOUNT_NUMBER", "4400-1234-5678"),
        (
            "IBAN DE89 3704 0044 0532 0130 00 at the bank",
            "ACCOUNT_NUMBER",
            "DE89 3704 0044 0532 0130 00",
        ),
        ("BIC DEUTDEFF500", "SWIFT_CODE", "DEUTDEFF500"),
        ("his SSN is 123-45-6789", "SSN", "123-45-6789"),
        ("social security 123456789", "SSN", "123456789"),
        ("EIN 12-3456789", "TAX_ID", "12-3456789"),
        ("tax id: 987654321", "TAX_ID", "987654321"),
        ("ITIN 912-78-1234", "TAX_ID", "912-78-1234"),
        ("Passport number: 533380006", "PASSPORT_NUMBER", "533380006"),
        ("passport X12345678 expires", "PASSPORT_NUMBER", "X12345678"),
        ("card 4111 1111 1111 1111", "CARD_NUMBER", "4111 1111 1111 1111"),
        ("Amex 3782-822463-10005 on file", "CARD_NUMBER", "3782-822463-10005"),
    ],
)
def test_each_kind_of_sensitive_value_is_found(text: str, kind: str, value: str) -> None:
    found = find_sensitive(text)
    assert [(f.type, f.value) for f in found] == [(kind, value)]


@pytest.mark.parametrize(
    "text",
    [
        "Call me at 415-555-0132 tomorrow.",
        "They committed $25,000,000 to Fund IV on 2026-11-03.",
        "Order 4111111111111112 failed the check digit.",
        "Routing slip 123456789 is not an ABA number.",
        "We discussed 3 accounts and 12 funds in 2025.",
        "Ticket 123456 closed; see page 12-13.",
    ],
)
def test_ordinary_numbers_are_left_alone(text: str) -> None:
    assert find_sensitive(text) == []


def test_check_digits() -> None:
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")
    assert aba_ok("021000021")
    assert not aba_ok("021000022")
    assert iban_ok("GB82 WEST 1234 5698 7654 32")
    assert not iban_ok("GB82 WEST 1234 5698 7654 33")


def test_placeholders_are_numbered_per_type_and_a_repeated_value_keeps_its_number() -> None:
    redacted = redact_fields(
        [("subject", "Wire for 123456789012"), ("body", WIRE + " Again: account 123456789012.")]
    )
    subject, body = (f.text for f in redacted.fields)
    assert subject == "Wire for 123456789012"  # no label, so just a number
    assert "[ROUTING_NUMBER_1]" in body
    assert "[SWIFT_CODE_1]" in body
    assert body.count("[ACCOUNT_NUMBER_1]") == 2
    assert "[ACCOUNT_NUMBER_2]" in body
    for secret in ("021000021", "123456789012", "CHASUS33XXX", "9876543210"):
        assert secret not in body


def test_markers_locate_the_original_in_its_field() -> None:
    fields = [("subject", "Passport 533380006"), ("body", WIRE)]
    redacted = redact_fields(fields)
    originals = dict(fields)
    for marker in redacted.markers:
        value = originals[marker.field][marker.start : marker.end]
        assert value
        assert value.replace(" ", "").replace("-", "").isalnum()
    assert {m.field for m in redacted.markers} == {"subject", "body"}
    assert [m.placeholder for m in markers_in("see [SWIFT_CODE_1]", redacted.markers)] == [
        "[SWIFT_CODE_1]"
    ]
