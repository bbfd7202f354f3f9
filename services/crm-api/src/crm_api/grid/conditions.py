"""The condition language of view filters and automation rules: JSON, read by a small
interpreter (never eval'd).

    condition := true | false
               | {"all": [condition, ...]}      every one holds (an empty list holds)
               | {"any": [condition, ...]}      at least one holds
               | {"not": condition}
               | {"field": <path>, "op": <op>, "value": <json>}

Ops: eq (the default with a value), ne, gt, gte, lt, lte, in, not_in (value: a list), contains
(a list field holds the value; a text field holds it, any case), starts_with (text, any case),
is_empty, is_not_empty (no value; the default without one, so {"field": "flag.follow_up"} tests
the flag). Paths are those of crm_api.grid.facts. Amounts compare as exact decimals (send them
as strings), timestamps as ISO 8601, days as numbers. A comparison with a missing value is false
(but `ne`, `not_in` and `is_empty`, which hold). On `any_fund.<attr>` the comparison holds when
it holds for some cell. A condition has at most 200 nodes and nests at most 8 deep.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from crm_api.grid import facts
from crm_api.grid.facts import RowFacts

MAX_NODES = 200
MAX_DEPTH = 8


class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    IN = "in"
    NOT_IN = "not_in"
    CONTAINS = "contains"
    STARTS_WITH = "starts_with"
    IS_EMPTY = "is_empty"
    IS_NOT_EMPTY = "is_not_empty"


_UNARY = {Op.IS_EMPTY, Op.IS_NOT_EMPTY}
_LISTS = {Op.IN, Op.NOT_IN}

FieldPath = Annotated[
    str, Field(max_length=120, description=facts.PATH_HELP), AfterValidator(facts.check_path)
]


class Compare(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: FieldPath
    op: Op | None = Field(
        default=None, description="default: eq with a value, is_not_empty without one"
    )
    value: JsonValue = None

    @model_validator(mode="after")
    def _check_value(self) -> Compare:
        if self.op is None:
            self.op = Op.IS_NOT_EMPTY if self.value is None else Op.EQ
        if self.op in _LISTS and not isinstance(self.value, list):
            raise ValueError(f"{self.op.value} needs a list value")
        if self.op not in _UNARY and self.op not in _LISTS and isinstance(self.value, dict):
            raise ValueError(f"{self.op.value} compares with a plain value, not an object")
        return self


class All(BaseModel):
    model_config = ConfigDict(extra="forbid")

    all: list[Condition] = Field(max_length=MAX_NODES)


class AnyOf(BaseModel):
    model_config = ConfigDict(extra="forbid")

    any: list[Condition] = Field(max_length=MAX_NODES)


class Not(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    not_: Condition = Field(alias="not")


Condition = StrictBool | All | AnyOf | Not | Compare
for _model in (All, AnyOf, Not):
    _model.model_rebuild()


def _size(node: Condition, depth: int = 1) -> int:
    if depth > MAX_DEPTH:
        raise ValueError(f"a condition nests at most {MAX_DEPTH} deep")
    if isinstance(node, All):
        return 1 + sum(_size(child, depth + 1) for child in node.all)
    if isinstance(node, AnyOf):
        return 1 + sum(_size(child, depth + 1) for child in node.any)
    if isinstance(node, Not):
        return 1 + _size(node.not_, depth + 1)
    return 1


def _bounded(node: Condition) -> Condition:
    if _size(node) > MAX_NODES:
        raise ValueError(f"a condition has at most {MAX_NODES} nodes")
    return node


CheckedCondition = Annotated[Condition, AfterValidator(_bounded)]
_ADAPTER: TypeAdapter[Condition] = TypeAdapter(CheckedCondition)


def parse(raw: Any) -> Condition:
    """A stored condition, parsed (it was checked when written).

    Raises:
        ValueError: it is not a valid condition.
    """
    try:
        return _ADAPTER.validate_python(raw)
    except ValidationError as exc:
        raise ValueError(str(exc)) from exc


def dump(node: Condition | None) -> Any:
    if node is None or isinstance(node, bool):
        return node
    return node.model_dump(mode="json", by_alias=True)


def paths(node: Condition | None) -> set[str]:
    """Every field path the condition reads."""
    if node is None or isinstance(node, bool):
        return set()
    if isinstance(node, All):
        return set().union(*(paths(child) for child in node.all))
    if isinstance(node, AnyOf):
        return set().union(*(paths(child) for child in node.any))
    if isinstance(node, Not):
        return paths(node.not_)
    return {node.field}


# -- evaluation ---------------------------------------------------------------------------------


def _coerce(sample: Any, value: Any) -> Any:
    """`value` (from JSON) in the type of the field's value `sample`, or None if it does not fit."""
    if value is None:
        return None
    try:
        if isinstance(sample, Decimal):
            return Decimal(str(value))
        if isinstance(sample, datetime):
            parsed = datetime.fromisoformat(str(value))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        if isinstance(sample, bool):
            return value if isinstance(value, bool) else None
        if isinstance(sample, int | float):
            if isinstance(value, bool):
                return None
            return Decimal(str(value)) if isinstance(value, int | float | str) else None
    except (InvalidOperation, ValueError):
        return None
    return value


def _numeric(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def _text(value: Any) -> str:
    return value.casefold() if isinstance(value, str) else str(value).casefold()


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value is False


def compare(actual: Any, op: Op, wanted: Any) -> bool:
    """Whether `actual` (a row's value) stands in `op` to `wanted` (the condition's value)."""
    if op is Op.IS_EMPTY:
        return _empty(actual)
    if op is Op.IS_NOT_EMPTY:
        return not _empty(actual)
    if op is Op.CONTAINS:
        if isinstance(actual, list):
            return wanted in actual
        return actual is not None and _text(wanted) in _text(actual)
    if op is Op.STARTS_WITH:
        return actual is not None and _text(actual).startswith(_text(wanted))
    if op in _LISTS:
        options = [_coerce(actual, item) for item in wanted] if actual is not None else []
        found = actual is not None and _numeric(actual) in options
        return found if op is Op.IN else not found
    if actual is None:
        return op is Op.NE and wanted is not None
    expected = _coerce(actual, wanted)
    left = _numeric(actual)
    if op is Op.EQ:
        return expected is not None and left == expected
    if op is Op.NE:
        return expected is None or left != expected
    if expected is None:
        return False
    try:
        if op is Op.GT:
            return bool(left > expected)
        if op is Op.GTE:
            return bool(left >= expected)
        if op is Op.LT:
            return bool(left < expected)
        return bool(left <= expected)
    except TypeError:
        return False


def evaluate(node: Condition | None, row: RowFacts, now: datetime) -> bool:
    """Whether the condition holds for the row (no condition holds for every row)."""
    if node is None:
        return True
    if isinstance(node, bool):
        return node
    if isinstance(node, All):
        return all(evaluate(child, row, now) for child in node.all)
    if isinstance(node, AnyOf):
        return any(evaluate(child, row, now) for child in node.any)
    if isinstance(node, Not):
        return not evaluate(node.not_, row, now)
    op = node.op or Op.EQ
    actual = facts.value_of(row, node.field, now)
    if node.field.startswith("any_fund."):
        return any(compare(value, op, node.value) for value in actual)
    return compare(actual, op, node.value)
