"""Replacing the sensitive values of a record's fields by numbered, typed placeholders.

Placeholders are numbered per record and per type in order of first appearance across the
record's fields, and the same value gets the same placeholder wherever it appears. Each marker
says where the original is (field, start, end in that field's text), so crm-api can read it back
from the record for a principal allowed to see it; the value itself is never kept here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from crm_common.contracts.search import RedactionMarker
from crm_common.redaction.detectors import find_sensitive

_PLACEHOLDER = re.compile(r"\[[A-Z_]+_\d+\]")


@dataclass(frozen=True)
class RedactedField:
    name: str
    text: str


@dataclass(frozen=True)
class Redacted:
    fields: list[RedactedField]
    markers: list[RedactionMarker]


def _key(value: str) -> str:
    return re.sub(r"[\s-]", "", value).upper()


def redact_fields(fields: Sequence[tuple[str, str]]) -> Redacted:
    """The fields with their sensitive values replaced, and a marker per replaced occurrence."""
    numbers: dict[tuple[str, str], str] = {}
    counts: dict[str, int] = {}
    markers: list[RedactionMarker] = []
    out: list[RedactedField] = []
    for name, text in fields:
        pieces: list[str] = []
        cursor = 0
        for finding in find_sensitive(text):
            key = (finding.type, _key(finding.value))
            placeholder = numbers.get(key)
            if placeholder is None:
                counts[finding.type] = counts.get(finding.type, 0) + 1
                placeholder = f"[{finding.type}_{counts[finding.type]}]"
                numbers[key] = placeholder
            pieces += [text[cursor : finding.start], placeholder]
            cursor = finding.end
            markers.append(
                RedactionMarker(
                    placeholder=placeholder,
                    type=finding.type,
                    field=name,
                    start=finding.start,
                    end=finding.end,
                )
            )
        pieces.append(text[cursor:])
        out.append(RedactedField(name, "".join(pieces)))
    return Redacted(out, markers)


def markers_in(text: str, markers: Sequence[RedactionMarker]) -> list[RedactionMarker]:
    """The markers whose placeholder appears in `text`."""
    present = set(_PLACEHOLDER.findall(text))
    return [m for m in markers if m.placeholder in present]
