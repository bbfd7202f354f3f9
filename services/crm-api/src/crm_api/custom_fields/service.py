"""Defining custom fields (admins), and checking the values a record is given.

A value is checked against its field's type when it is written: text, number (a JSON number),
decimal (exact; stored as a string), date (stored as an ISO string), boolean, select (one of the
options), multiselect (some of them), url, email. A key no field of the entity has, or a retired
field, is refused; so is a required field left out of a create, or removed later. Every refusal
is a 422 naming `custom_fields.<key>`.

Custom fields import no entity: each one with fields (contacts, organizations, opportunities)
registers the column holding its records' values (`register_entity`) when its service is
imported, so that an option still in use is not removed.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import AnyHttpUrl, EmailStr, TypeAdapter, ValidationError
from sqlalchemy.orm import InstrumentedAttribute, Session

from crm_api.audit import service as audit
from crm_api.auth.principal import Principal
from crm_api.custom_fields import repository
from crm_api.custom_fields.models import CustomField
from crm_api.custom_fields.schemas import (
    CHOICE_TYPES,
    CustomFieldCreate,
    CustomFieldFilter,
    CustomFieldRead,
    CustomFieldUpdate,
    FieldType,
)
from crm_api.kit.errors import DuplicateRecord, InvalidValue, RecordNotFound, StillReferenced

FIELD = "custom_fields"
MAX_TEXT = 10_000
MAX_NUMBER = 10**15  # exact in a double, so every consumer reads back what was written
MAX_DECIMAL_DIGITS = 30
_VALUES: dict[str, InstrumentedAttribute[dict[str, Any]]] = {}
_URL: TypeAdapter[AnyHttpUrl] = TypeAdapter(AnyHttpUrl)
_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)


def register_entity(entity: str, values: InstrumentedAttribute[dict[str, Any]]) -> None:
    """Make `entity`'s records, whose custom field values `values` (a JSON column) holds, count
    when an option is checked for use."""
    _VALUES[entity] = values


def to_read(row: CustomField) -> CustomFieldRead:
    return CustomFieldRead.model_validate(row)


def _snapshot(row: CustomField) -> dict[str, Any]:
    return to_read(row).model_dump(mode="json")


def definitions(session: Session, *, filters: CustomFieldFilter) -> list[CustomField]:
    return repository.definitions(session, filters=filters)


def _check_options(kind: FieldType, options: list[str]) -> list[str]:
    if kind not in CHOICE_TYPES:
        if options:
            raise InvalidValue(f"options: a {kind} field has no options", field="options")
        return []
    if not options:
        raise InvalidValue(f"options: a {kind} field needs at least one", field="options")
    if len(set(options)) != len(options):
        raise InvalidValue("options: an option is listed twice", field="options")
    return list(options)


def create(session: Session, *, data: CustomFieldCreate, by: Principal) -> CustomField:
    exists = repository.id_of(session, data.entity, data.key)
    if exists is not None:
        raise DuplicateRecord(
            f"{data.entity} already has a custom field {data.key!r}",
            field="key",
            custom_field_id=exists,
        )
    options = _check_options(data.type, data.options)
    position = data.position
    if position is None:
        last = repository.last_position(session, data.entity)
        position = 0 if last is None else last + 1
    row = CustomField(
        entity=data.entity,
        key=data.key,
        label=data.label,
        type=data.type.value,
        options=options,
        is_required=data.is_required,
        position=position,
        is_active=True,
    )
    session.info.pop(_CACHE, None)
    repository.add(session, row)
    audit.record(
        session,
        actor=by.actor,
        entity_type="custom_field",
        entity_id=row.id,
        action="create",
        after=_snapshot(row),
    )
    return row


def _options_in_use(session: Session, row: CustomField, options: set[str]) -> list[str]:
    """Which of `options` a record of the field's entity (live or deleted) has."""
    used: set[str] = set()
    for values in repository.values_held(session, _VALUES[row.entity]):
        value = (values or {}).get(row.key)
        chosen = value if isinstance(value, list) else [value]
        used.update(v for v in chosen if isinstance(v, str) and v in options)
    return sorted(used)


def update(
    session: Session, *, field_id: str, data: CustomFieldUpdate, by: Principal
) -> CustomField:
    row = repository.get(session, field_id)
    if row is None:
        raise RecordNotFound(f"no custom field {field_id!r}")
    before = _snapshot(row)
    if data.options is not None:
        options = _check_options(FieldType(row.type), data.options)
        removed = set(row.options or []) - set(options)
        in_use = _options_in_use(session, row, removed) if removed else []
        if in_use:
            raise StillReferenced(
                f"options: records still have {', '.join(map(repr, in_use))}; change them first",
                field="options",
                options=in_use,
            )
        row.options = options
    for name in ("label", "is_required", "position", "is_active"):
        value = getattr(data, name)
        if value is not None:
            setattr(row, name, value)
    session.info.pop(_CACHE, None)
    session.flush()
    after = _snapshot(row)
    if {k: v for k, v in after.items() if k != "updated_at"} != {
        k: v for k, v in before.items() if k != "updated_at"
    }:
        audit.record(
            session,
            actor=by.actor,
            entity_type="custom_field",
            entity_id=row.id,
            action="update",
            before=before,
            after=after,
        )
    return row


# Values on records.


def _refuse(field: str, why: str) -> InvalidValue:
    return InvalidValue(f"{field}: {why}", field=field)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise _refuse(field, "must be a string")
    if len(value) > MAX_TEXT:
        raise _refuse(field, f"at most {MAX_TEXT} characters")
    if "\x00" in value:
        raise _refuse(field, "must not contain NUL characters")
    return value


def _number(value: Any, field: str) -> int | float:
    if not _is_number(value):
        raise _refuse(field, "must be a number")
    if not math.isfinite(value) or abs(value) >= MAX_NUMBER:
        raise _refuse(field, f"must be a finite number below {MAX_NUMBER:.0e} in size")
    number: int | float = value
    return number


def _decimal(value: Any, field: str) -> str:
    if _is_number(value):
        value = str(value)
    if not isinstance(value, str) or len(value) > 60:
        raise _refuse(field, "must be a decimal number, as a string: '1250000.50'")
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise _refuse(field, f"{value!r} is not a decimal number") from None
    if not number.is_finite():
        raise _refuse(field, "must be a finite decimal number")
    if number.is_zero():
        number = abs(number)  # "-0.0" is "0.0"
    digits, exponent = len(number.as_tuple().digits), int(number.as_tuple().exponent)
    if max(digits, digits - exponent, exponent + digits) > MAX_DECIMAL_DIGITS:
        raise _refuse(field, f"at most {MAX_DECIMAL_DIGITS} digits")
    return format(number, "f")


def _date(value: Any, field: str) -> str:
    if not isinstance(value, str) or len(value) > 32:
        raise _refuse(field, "must be a date, as an ISO string: '2026-11-25'")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise _refuse(field, f"{value!r} is not an ISO date (YYYY-MM-DD)") from None


def _boolean(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise _refuse(field, "must be true or false")
    return value


def _select(value: Any, field: str, options: list[str]) -> str:
    if not isinstance(value, str) or value not in options:
        raise _refuse(field, f"must be one of {', '.join(options)}")
    return value


def _multiselect(value: Any, field: str, options: list[str]) -> list[str]:
    if not isinstance(value, list):
        raise _refuse(field, f"must be a list of some of {', '.join(options)}")
    for item in value:
        _select(item, field, options)
    chosen = set(value)
    return [option for option in options if option in chosen]  # in the options' order


def _url(value: Any, field: str) -> str:
    if not isinstance(value, str) or len(value) > 2000:
        raise _refuse(field, "must be an http(s) URL")
    try:
        return str(_URL.validate_python(value.strip()))
    except ValidationError:
        raise _refuse(field, f"{value!r} is not an http(s) URL") from None


def _email(value: Any, field: str) -> str:
    if not isinstance(value, str) or len(value) > 254:
        raise _refuse(field, "must be an email address")
    try:
        return _EMAIL.validate_python(value.strip()).lower()
    except ValidationError:
        raise _refuse(field, f"{value!r} is not an email address") from None


def check_value(definition: CustomField, value: Any) -> Any:
    """The value as stored, when it fits the field's type.

    Raises:
        InvalidValue: naming `custom_fields.<key>`.
    """
    field = f"{FIELD}.{definition.key}"
    options = list(definition.options or [])
    match FieldType(definition.type):
        case FieldType.TEXT:
            return _text(value, field)
        case FieldType.NUMBER:
            return _number(value, field)
        case FieldType.DECIMAL:
            return _decimal(value, field)
        case FieldType.DATE:
            return _date(value, field)
        case FieldType.BOOLEAN:
            return _boolean(value, field)
        case FieldType.SELECT:
            return _select(value, field, options)
        case FieldType.MULTISELECT:
            return _multiselect(value, field, options)
        case FieldType.URL:
            return _url(value, field)
        case FieldType.EMAIL:
            return _email(value, field)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


_CACHE = "custom_fields.definitions"


def _fields_of(session: Session, entity: str) -> dict[str, CustomField]:
    """An entity's definitions, read once per session (every write of a record checks them)."""
    cache: dict[str, dict[str, CustomField]] = session.info.setdefault(_CACHE, {})
    if entity not in cache:
        cache[entity] = {row.key: row for row in repository.of_entity(session, entity)}
    return cache[entity]


def apply(
    session: Session,
    *,
    entity: str,
    given: dict[str, Any] | None,
    current: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A record's custom field values after a write: `current` (None on a create) with `given`
    merged in (a key set to null removes its value), each value checked and normalized.

    Raises:
        InvalidValue: naming `custom_fields.<key>`: a key the entity has no field for, a retired
            field, a value of the wrong type, a required field missing on a create or removed.
    """
    creating = current is None
    if not given and not creating:
        return dict(current or {})
    fields = _fields_of(session, entity)
    values = dict(current or {})
    for key, value in (given or {}).items():
        field = f"{FIELD}.{key}"
        definition = fields.get(key)
        if definition is None:
            raise _refuse(field, f"{entity}s have no custom field {key!r}")
        required = definition.is_active and definition.is_required
        if value is None:
            if required:
                raise _refuse(field, "is required; it cannot be removed")
            values.pop(key, None)
            continue
        if not definition.is_active:
            raise _refuse(field, "this field is retired; it takes no new values")
        checked = check_value(definition, value)
        if required and _blank(checked):
            raise _refuse(field, "is required; it cannot be empty")
        values[key] = checked
    if creating:
        for definition in sorted(fields.values(), key=lambda d: (d.position, d.key)):
            if (
                definition.is_active
                and definition.is_required
                and _blank(values.get(definition.key))
            ):
                raise _refuse(f"{FIELD}.{definition.key}", "is required")
    return dict(sorted(values.items()))
