"""Finding sensitive values in free text: account and routing numbers, SWIFT codes (the parts of
wire instructions that move money), tax ids and SSNs, passport numbers and card numbers.

Each detector is a regular expression plus, where the format has one, its check digit (Luhn for
cards, ABA for routing numbers, ISO 7064 mod 97 for IBANs), so an order number or a phone number
is not mistaken for one. Values that only a label makes recognisable (an account number is just
digits) are found after their label: "account", "acct", "a/c", "routing", "ABA", "SWIFT", "tax
id", "EIN", "passport" and the like. When two findings overlap, the first detector in `DETECTORS`
wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

ACCOUNT_NUMBER = "ACCOUNT_NUMBER"
ROUTING_NUMBER = "ROUTING_NUMBER"
SWIFT_CODE = "SWIFT_CODE"
TAX_ID = "TAX_ID"
SSN = "SSN"
PASSPORT_NUMBER = "PASSPORT_NUMBER"
CARD_NUMBER = "CARD_NUMBER"

TYPES = (ACCOUNT_NUMBER, ROUTING_NUMBER, SWIFT_CODE, TAX_ID, SSN, PASSPORT_NUMBER, CARD_NUMBER)


@dataclass(frozen=True)
class Finding:
    type: str
    start: int
    end: int
    value: str


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def luhn_ok(number: str) -> bool:
    digits = [int(d) for d in _digits(number)]
    total = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return bool(digits) and total % 10 == 0


def aba_ok(number: str) -> bool:
    digits = [int(d) for d in _digits(number)]
    if len(digits) != 9:
        return False
    weights = (3, 7, 1) * 3
    return sum(d * w for d, w in zip(digits, weights, strict=True)) % 10 == 0


def iban_ok(value: str) -> bool:
    compact = re.sub(r"\s", "", value).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(numeric) % 97 == 1


@dataclass(frozen=True)
class Detector:
    type: str
    pattern: re.Pattern[str]
    check: Callable[[str], bool] | None = None
    group: int = 0

    def find(self, text: str) -> list[Finding]:
        found = []
        for match in self.pattern.finditer(text):
            value = match.group(self.group)
            if value is None or (self.check is not None and not self.check(value)):
                continue
            start, end = match.span(self.group)
            found.append(Finding(self.type, start, end, value))
        return found


_I = re.IGNORECASE
# A label, then up to 30 characters of anything but digits and line breaks ("number:", "# ",
# "(checking) no."), then the value.
_GAP = r"[^\d\n]{0,30}?"


def _labelled(label: str, value: str, flags: int = _I) -> re.Pattern[str]:
    return re.compile(rf"(?:{label}){_GAP}(?<![\w])({value})(?![\w])", flags)


def _card_ok(value: str) -> bool:
    digits = _digits(value)
    return 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn_ok(digits)


def _ssn_ok(value: str) -> bool:
    area, group, serial = _digits(value)[:3], _digits(value)[3:5], _digits(value)[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


# An IBAN: country, check digits, then groups of four (spaces optional).
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
# The value is upper case whatever the case of its label.
_SWIFT_LABEL = r"(?i:\bswift\b|\bbic\b)"

DETECTORS: tuple[Detector, ...] = (
    Detector(CARD_NUMBER, re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])"), _card_ok),
    Detector(ACCOUNT_NUMBER, _IBAN, iban_ok),
    Detector(
        ROUTING_NUMBER,
        _labelled(r"\brouting\b|\baba\b|\brtn\b|\btransit\b", r"\d{9}"),
        aba_ok,
        group=1,
    ),
    Detector(
        SWIFT_CODE,
        _labelled(_SWIFT_LABEL, r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?", 0),
        group=1,
    ),
    Detector(TAX_ID, re.compile(r"(?<![\d-])\d{2}-\d{7}(?![\d-])")),
    Detector(TAX_ID, re.compile(r"(?<![\d-])9\d{2}-[5-9]\d-\d{4}(?![\d-])")),
    Detector(
        TAX_ID,
        _labelled(r"\btax ?id\b|\btin\b|\bein\b|\bitin\b|\btaxpayer\b", r"\d{2}-?\d{7}|\d{9}"),
        group=1,
    ),
    Detector(SSN, re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])"), _ssn_ok),
    Detector(
        SSN,
        _labelled(r"\bssn\b|\bsocial security\b|\bss#", r"\d{3}[- ]?\d{2}[- ]?\d{4}"),
        group=1,
    ),
    Detector(
        PASSPORT_NUMBER,
        _labelled(r"\bpassport\b", r"[A-Z]{0,2}\d{6,9}|\d[A-Z0-9]{6,8}"),
        group=1,
    ),
    Detector(
        ACCOUNT_NUMBER,
        _labelled(
            r"\baccount\b|\bacct\b|\ba/c\b|\bacc\b|\bbeneficiary\b|\bffc\b|\bfurther credit\b"
            r"|\bchecking\b|\bsavings\b",
            r"\d(?:[ -]?\d){5,19}",
        ),
        group=1,
    ),
)


def find_sensitive(text: str) -> list[Finding]:
    """Every sensitive value in `text`, in order, none overlapping another."""
    taken: list[Finding] = []
    for detector in DETECTORS:
        for finding in detector.find(text):
            if all(finding.end <= t.start or finding.start >= t.end for t in taken):
                taken.append(finding)
    return sorted(taken, key=lambda f: f.start)
