"""What is known about a grid row when a view filters or sorts it, or a rule looks at it, and the
field paths that name each fact.

Paths (the same in view filters, sorts, grouping and automation conditions):

    investor_kind  name  lead_source  position  flags  lists  contacts
    created_at  updated_at  last_touch_at
    days_since_created  days_since_updated  days_since_last_touch
    flag.<flag>                 true when the row has the flag
    list.<list key>             true when the row is on the list
    values.<column key>         a custom column's value
    fund.<fund id>.<attr>       attr: stage, expected_amount, committed_amount, funded_amount,
                                currency, exists
    any_fund.<attr>             a condition on it holds when it holds for some cell
    total.<amount>              the row's amounts added over its cells (every currency)

The last touch is the newest live communication on the investor or one of the row's contacts.
Amounts are exact decimals; a missing value is None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

AMOUNTS = ("expected_amount", "committed_amount", "funded_amount")
CELL_ATTRS = ("stage", *AMOUNTS, "currency", "exists")
PLAIN = (
    "investor_kind",
    "name",
    "lead_source",
    "position",
    "flags",
    "lists",
    "contacts",
    "created_at",
    "updated_at",
    "last_touch_at",
    "days_since_created",
    "days_since_updated",
    "days_since_last_touch",
)
_IDENT = r"[a-z][a-z0-9_]{0,49}"
_ID = r"[A-Za-z0-9-]{1,36}"
_PATH = re.compile(
    rf"^(?:{'|'.join(PLAIN)}"
    rf"|flag\.{_IDENT}|list\.{_IDENT}|values\.{_IDENT}"
    rf"|fund\.{_ID}\.(?:{'|'.join(CELL_ATTRS)})"
    rf"|any_fund\.(?:{'|'.join(CELL_ATTRS)})"
    rf"|total\.(?:{'|'.join(AMOUNTS)}))$"
)
PATH_HELP = (
    "a field path: investor_kind, name, lead_source, position, flags, lists, contacts, "
    "created_at, updated_at, last_touch_at, days_since_created, days_since_updated, "
    "days_since_last_touch, flag.<flag>, list.<list>, values.<column>, fund.<fund id>.<attr>, "
    "any_fund.<attr>, total.<amount> (attr: stage, expected_amount, committed_amount, "
    "funded_amount, currency, exists)"
)


def check_path(path: str) -> str:
    """Raises ValueError for a path the grid does not know."""
    if not _PATH.match(path):
        raise ValueError(f"{path!r} is not {PATH_HELP}")
    return path


def needs_touch(paths: set[str]) -> bool:
    return bool(paths & {"last_touch_at", "days_since_last_touch"})


def needs_lists(paths: set[str]) -> bool:
    return any(p == "lists" or p.startswith("list.") for p in paths)


@dataclass(slots=True)
class CellFacts:
    opportunity_id: str
    version: int
    stage: str
    currency: str
    # Amounts in integer cents: exact, and cheap to add up over a large grid.
    expected: int | None
    committed: int | None
    funded: int | None

    def cents(self, amount: str) -> int | None:
        value: int | None = getattr(self, amount.removesuffix("_amount"))
        return value


@dataclass
class RowFacts:
    id: str
    version: int
    investor_kind: str
    organization_id: str | None
    contact_id: str | None
    name: str
    position: float
    flags: list[str]
    lead_source: str | None
    values: dict[str, Any]
    contact_ids: list[str]
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    contact_roles: dict[str, str | None] = field(default_factory=dict)
    cells: dict[str, CellFacts] = field(default_factory=dict)
    lists: set[str] = field(default_factory=set)
    last_touch_at: datetime | None = None

    @property
    def investor_id(self) -> str:
        return self.organization_id or self.contact_id or ""


def money(cents: int | None) -> Decimal | None:
    if cents is None:
        return None
    return Decimal(cents).scaleb(-2).quantize(Decimal("0.01"))


def _days(since: datetime | None, now: datetime) -> int | None:
    if since is None:
        return None
    return (now - since).days


def _cell_value(cell: CellFacts | None, attr: str) -> Any:
    if attr == "exists":
        return cell is not None
    if cell is None:
        return None
    if attr in AMOUNTS:
        return money(cell.cents(attr))
    return getattr(cell, attr)


def value_of(row: RowFacts, path: str, now: datetime) -> Any:
    """The value `path` names on `row` (for `any_fund.*`, the list of every cell's value)."""
    head, _, rest = path.partition(".")
    match head:
        case "flag":
            return rest in row.flags
        case "list":
            return rest in row.lists
        case "values":
            return row.values.get(rest)
        case "fund":
            fund_id, _, attr = rest.rpartition(".")
            return _cell_value(row.cells.get(fund_id), attr)
        case "any_fund":
            return [_cell_value(cell, rest) for cell in row.cells.values()]
        case "total":
            found = [c for c in (cell.cents(rest) for cell in row.cells.values()) if c is not None]
            return money(sum(found)) if found else None
        case "lists":
            return sorted(row.lists)
        case "contacts":
            return list(row.contact_ids)
        case "days_since_created":
            return _days(row.created_at, now)
        case "days_since_updated":
            return _days(row.updated_at, now)
        case "days_since_last_touch":
            return _days(row.last_touch_at, now)
        case _:
            return getattr(row, head)
