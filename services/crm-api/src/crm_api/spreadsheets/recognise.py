"""Recognising a fundraising spreadsheet: what each column of an import is, and what each
value of a line means (amounts, flags, web domains, email addresses).

- Columns are recognized by their header (any case): the row fields (Row ID, Investor/Name, Type,
  Email, Domain/Website, Lead source, Flags, Contacts), a fund's name (its amount, by default the
  committed one) or a fund's name followed by expected, committed, funded or stage, an existing
  custom column (by key or label); any other header becomes a new text column. Lists, Last
  touch and Notes (what an export adds) are ignored. `mapping` overrides any of it.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import EmailStr, TypeAdapter, ValidationError

from crm_api.custom_fields.schemas import FieldType
from crm_api.funds.models import Fund
from crm_api.funds.schemas import Money
from crm_api.grid.models import GridColumn
from crm_api.kit.schemas import Domain
from crm_api.kit.text import unguard
from crm_api.spreadsheets.errors import InvalidMapping
from crm_api.spreadsheets.tables import Value

FIELD_HEADERS = {
    "row id": "row_id",
    "row_id": "row_id",
    "investor": "name",
    "name": "name",
    "investor name": "name",
    "organization": "name",
    "organisation": "name",
    "lp": "name",
    "type": "kind",
    "investor type": "kind",
    "kind": "kind",
    "email": "email",
    "e-mail": "email",
    "domain": "domain",
    "website": "domain",
    "web domain": "domain",
    "lead source": "lead_source",
    "source": "lead_source",
    "flags": "flags",
    "contacts": "contacts",
}
EXPORT_ONLY = {"lists", "last touch", "notes", "outreach notes"}
SUFFIXES = {
    "expected": "expected_amount",
    "committed": "committed_amount",
    "funded": "funded_amount",
    "stage": "stage",
}
_MONEY: TypeAdapter[Decimal] = TypeAdapter(Money)
_DOMAIN: TypeAdapter[str] = TypeAdapter(Domain)
_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)
_FLAG = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
KINDS = {
    "": "organization",
    "organization": "organization",
    "organisation": "organization",
    "org": "organization",
    "company": "organization",
    "institution": "organization",
    "contact": "contact",
    "person": "contact",
    "individual": "contact",
}


def column_key(header: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", header.casefold()).strip("_")
    if not key or not key[0].isalpha():
        key = f"c_{key}"
    return key[:50].rstrip("_")


def resolve_columns(
    header: list[str],
    *,
    funds: list[Fund],
    customs: list[GridColumn],
    amount_field: str,
    mapping: str | None,
) -> list[str]:
    """The target of each column: field:<name>, fund:<id>:<attr>, column:<key>,
    new_column:<key> or ignore.

    Raises:
        InvalidMapping: a mapping that is not a JSON object of header -> target, names a header
            the file lacks or a target that does not exist, or two columns for one target.
    """
    overrides: dict[str, str] = {}
    if mapping:
        try:
            parsed = json.loads(mapping)
        except ValueError as exc:
            raise InvalidMapping(f"mapping is not JSON: {exc}") from None
        if not isinstance(parsed, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()
        ):
            raise InvalidMapping("mapping is a JSON object of column header -> target")
        missing = sorted(set(parsed) - set(header))
        if missing:
            raise InvalidMapping(f"mapping names columns the file lacks: {', '.join(missing)}")
        overrides = parsed
    by_name = sorted(funds, key=lambda f: len(f.name), reverse=True)
    fund_ids = {f.id for f in funds}
    keys = {c.key for c in customs}
    labels = {c.label.casefold(): c.key for c in customs}
    targets: list[str] = []
    for raw in header:
        name = raw.strip().casefold()
        if raw in overrides:
            target = overrides[raw]
            _check_target(target, fund_ids=fund_ids, keys=keys)
        elif not name:
            target = "ignore"
        elif name in FIELD_HEADERS:
            target = f"field:{FIELD_HEADERS[name]}"
        elif name in EXPORT_ONLY:
            target = "ignore"
        else:
            target = _fund_target(name, by_name, amount_field) or ""
            if not target:
                key = labels.get(name) or (column_key(raw) if column_key(raw) in keys else None)
                target = f"column:{key}" if key else f"new_column:{column_key(raw)}"
        targets.append(target)
    used = [t for t in targets if t != "ignore"]
    twice = sorted({t for t in used if used.count(t) > 1})
    if twice:
        raise InvalidMapping(
            f"several columns map to {', '.join(twice)}; map one of them to ignore"
        )
    return targets


def _fund_target(name: str, funds: list[Fund], amount_field: str) -> str | None:
    for fund in funds:
        key = fund.name_key
        if name == key:
            return f"fund:{fund.id}:{amount_field}"
        for suffix, attr in SUFFIXES.items():
            if name in (f"{key} {suffix}", f"{key} - {suffix}", f"{key}: {suffix}"):
                return f"fund:{fund.id}:{attr}"
    return None


def _check_target(target: str, *, fund_ids: set[str], keys: set[str]) -> None:
    kind, _, rest = target.partition(":")
    valid = (
        target == "ignore"
        or (kind == "field" and rest in set(FIELD_HEADERS.values()))
        or (kind == "column" and rest in keys)
        or (kind == "new_column" and bool(re.match(r"^[a-z][a-z0-9_]{0,49}$", rest)))
    )
    if kind == "fund":
        fund_id, _, attr = rest.partition(":")
        valid = fund_id in fund_ids and attr in (*SUFFIXES.values(),)
    if not valid:
        raise InvalidMapping(f"{target!r} is not a target (see the import's documentation)")


def cell_text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unguard(str(value).strip())


def parse_amount(value: Value) -> Decimal | None:
    """Raises ValueError for an amount that is not exact cents, or negative."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("not an amount")
    if isinstance(value, int | Decimal):
        raw = str(value)
    elif isinstance(value, float):
        raw = repr(value)
    else:
        raw = re.sub(r"[\s,$€£]", "", str(value))
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"{cell_text(value)!r} is not an amount") from None
    try:
        return _MONEY.validate_python(amount)
    except ValidationError as exc:
        raise ValueError(exc.errors()[0]["msg"]) from None


def column_value(column_type: str, value: Value) -> Any:
    """A spreadsheet cell as the JSON value a custom column takes (checked by the grid after)."""
    text = cell_text(value)
    if not text:
        return None
    kind = FieldType(column_type)
    if kind is FieldType.NUMBER:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        number = Decimal(text.replace(",", ""))
        return int(number) if number == number.to_integral_value() else float(number)
    if kind is FieldType.DECIMAL:
        return str(value) if isinstance(value, Decimal) else text.replace(",", "")
    if kind is FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        return text.casefold() in {"true", "yes", "y", "1", "x"}
    if kind is FieldType.DATE:
        return value.date().isoformat() if isinstance(value, datetime) else text[:10]
    if kind is FieldType.MULTISELECT:
        return [part.strip() for part in re.split(r"[;,]", text) if part.strip()]
    return text


def flags_of(text: str) -> list[str]:
    found = []
    for part in re.split(r"[;,]", text):
        flag = re.sub(r"[\s-]+", "_", part.strip().casefold())
        if flag:
            if not _FLAG.match(flag):
                raise ValueError(f"{part.strip()!r} is not a flag (letters, digits, _)")
            found.append(flag)
    return sorted(set(found))


def domain_of(text: str) -> str | None:
    try:
        return _DOMAIN.validate_python(text)
    except ValidationError:
        return None


def email_of(text: str) -> str | None:
    try:
        return _EMAIL.validate_python(text).lower()
    except ValidationError:
        return None
