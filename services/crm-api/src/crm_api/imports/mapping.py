"""Which CSV column feeds which field: the caller's mapping, or one read off the header."""

from __future__ import annotations

import json
import re
from typing import Any, Literal, get_args

from crm_api.imports.errors import InvalidMapping

Target = Literal[
    "first_name",
    "last_name",
    "full_name",
    "email",
    "email_2",
    "phone",
    "title",
    "contact_type",
    "status",
    "source",
    "city",
    "region",
    "country",
    "linkedin_url",
    "notes",
    "organization",
    "organization_domain",
    "organization_type",
    "role",
]
TARGETS: tuple[str, ...] = get_args(Target)

MAPPING_HELP = (
    'A JSON object, CSV column name → target field (null or "" ignores a column). Targets: '
    + ", ".join(TARGETS)
    + ". Without it, columns named like a target (any case, spaces and underscores ignored) are "
    "mapped."
)


def _squash(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).casefold()


_BY_SQUASHED = {_squash(target): target for target in TARGETS}


def _refuse(message: str) -> InvalidMapping:
    return InvalidMapping(message, errors=[{"field": "mapping", "message": message}])


def resolve(header: list[str], mapping: str | None) -> dict[str, int]:
    """Target → column index, from the caller's JSON mapping or from the header's names.

    Raises:
        InvalidMapping: not a JSON object of strings, a column the file lacks (or has twice), an
            unknown target, a target fed by two columns, or no email column.
    """
    if mapping is None or not mapping.strip():
        pairs = _automatic(header)
    else:
        pairs = _explicit(header, _parse(mapping))
    columns: dict[str, int] = {}
    for column, target in pairs:
        if target in columns:
            raise _refuse(f"two columns map to {target}")
        columns[target] = column
    if not columns:
        raise _refuse(
            "no column maps to a field; name the columns after the fields or send a mapping "
            f"(fields: {', '.join(TARGETS)})"
        )
    if "email" not in columns:
        raise _refuse("map a column to email: rows are matched to contacts by email")
    return columns


def used(header: list[str], columns: dict[str, int]) -> dict[str, str]:
    """The mapping as column name → target, for the report."""
    return {header[index]: target for target, index in sorted(columns.items(), key=lambda i: i[1])}


def _parse(mapping: str) -> dict[str, Any]:
    try:
        parsed = json.loads(mapping)
    except ValueError:
        raise _refuse("mapping must be a JSON object: column name → field") from None
    if not isinstance(parsed, dict):
        raise _refuse("mapping must be a JSON object: column name → field")
    return parsed


def _explicit(header: list[str], mapping: dict[str, Any]) -> list[tuple[int, str]]:
    pairs = []
    for column, target in mapping.items():
        if target is None or target == "":
            continue
        if not isinstance(target, str) or target not in TARGETS:
            raise _refuse(f"{column!r}: {target!r} is not a field; fields: {', '.join(TARGETS)}")
        name = column.strip()
        found = [index for index, heading in enumerate(header) if heading == name]
        if not found:
            raise _refuse(f"the file has no column {column!r}")
        if len(found) > 1:
            raise _refuse(f"the file has two columns named {column!r}")
        pairs.append((found[0], target))
    return pairs


def _automatic(header: list[str]) -> list[tuple[int, str]]:
    pairs = []
    for index, heading in enumerate(header):
        target = _BY_SQUASHED.get(_squash(heading))
        if target is not None:
            pairs.append((index, target))
    return pairs
