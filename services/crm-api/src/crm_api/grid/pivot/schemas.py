"""The shape of the pivot (`Pivot`, whose answer is built as plain dicts) and its queries."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from crm_api.grid.schemas import (
    InvestorKind,
)


class FundColumn(BaseModel):
    kind: Literal["fund"] = "fund"
    ref: str
    fund_id: str
    name: str
    currency: str
    position: int
    version: int


class CustomColumn(BaseModel):
    kind: Literal["custom"] = "custom"
    ref: str
    key: str
    label: str
    type: str
    options: list[Any]
    position: int
    width: int | None
    version: int


class FieldColumn(BaseModel):
    kind: Literal["field"] = "field"
    ref: str
    label: str


Column = Annotated[FundColumn | CustomColumn | FieldColumn, Field(discriminator="kind")]


class Investor(BaseModel):
    kind: InvestorKind
    id: str
    name: str
    email: str | None = None
    domains: list[str] = Field(default_factory=list)


class RowContact(BaseModel):
    contact_id: str
    role: str | None
    name: str
    email: str | None


class Note(BaseModel):
    """An outreach note: a communication on the investor (or one of the row's contacts)."""

    id: str
    type: str
    subject: str
    body: str
    occurred_at: datetime
    contact_id: str | None
    organization_id: str | None


class PivotCell(BaseModel):
    """A cell in the pivot; its opportunity's other fields are at GET .../cells/{fund_id}."""

    opportunity_id: str
    version: int
    stage: str
    expected_amount: Decimal | None
    committed_amount: Decimal | None
    funded_amount: Decimal | None
    currency: str


class PivotRow(BaseModel):
    id: str
    version: int
    investor: Investor
    position: float
    flags: list[str]
    lead_source: str | None
    values: dict[str, Any]
    contacts: list[RowContact]
    lists: list[str]
    last_touch_at: datetime | None
    notes: list[Note]
    cells: dict[str, PivotCell] = Field(
        description="fund id -> cell; empty cells (version 0) are left out"
    )
    group: Any = None


class MoneyTotal(BaseModel):
    currency: str
    count: int
    expected_amount: Decimal
    committed_amount: Decimal
    funded_amount: Decimal


class Totals(BaseModel):
    rows: int
    by_fund: dict[str, list[MoneyTotal]] = Field(description="fund id -> totals per currency")
    by_stage: dict[str, list[MoneyTotal]] = Field(description="stage -> totals per currency")
    overall: list[MoneyTotal]


class Group(BaseModel):
    key: Any
    rows: int
    totals: list[MoneyTotal]


class ViewRef(BaseModel):
    id: str | None
    name: str
    version: int | None


class Pivot(BaseModel):
    view: ViewRef
    seq: int | None = Field(
        description="the live feed's sequence this answer is at: subscribe with since=seq"
    )
    columns: list[Column]
    frozen_columns: int
    group_by: str | None
    amount_field: str
    rows: list[PivotRow]
    groups: list[Group] | None
    totals: Totals
    next_cursor: str | None
    total: int


class PivotQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    view_id: str | None = Field(default=None, max_length=36, description="default: every row")
    list: str | None = Field(default=None, max_length=50, description="only rows on this list")
    q: str | None = Field(default=None, max_length=200, description="investor name contains")
    deleted: Literal["exclude", "only"] = "exclude"
    notes: int = Field(default=3, ge=0, le=20, description="latest outreach notes per row")
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=200, ge=1, le=5000)


class TotalsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    view_id: str | None = Field(default=None, max_length=36)
    list: str | None = Field(default=None, max_length=50)
    q: str | None = Field(default=None, max_length=200)
