from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, EmailStr, Field, field_validator

from crm_api.communications.schemas import CommunicationRead
from crm_api.custom_fields.schemas import FieldType, Key, Label, Options
from crm_api.funds.schemas import Currency, Money
from crm_api.grid.conditions import CheckedCondition, FieldPath
from crm_api.kit.schemas import AggregateRead, Domain, Text, UtcTimestamp

Id = Annotated[str, Field(min_length=1, max_length=36)]
Flag = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]{0,49}$",
        examples=["follow_up"],
        description="a lower-case identifier: follow_up, graveyard, priority, ...",
    ),
]
Flags = Annotated[list[Flag], Field(max_length=30)]
Position = Annotated[float, Field(ge=-1e15, le=1e15, allow_inf_nan=False)]
# Custom column key -> value; on an update a key set to null removes its value.
Values = Annotated[dict[Annotated[str, Field(max_length=50)], Any], Field(max_length=100)]


class InvestorKind(StrEnum):
    ORGANIZATION = "organization"
    CONTACT = "contact"


class AmountField(StrEnum):
    EXPECTED = "expected_amount"
    COMMITTED = "committed_amount"
    FUNDED = "funded_amount"


AMOUNT_FIELDS = tuple(a.value for a in AmountField)


# -- rows ---------------------------------------------------------------------------------------


class RowContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contact_id: Id
    role: str | None = Field(default=None, max_length=200)


class NewOrganization(BaseModel):
    """An organization to create for the row, when no existing one was chosen."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    type: str = Field(default="other", max_length=64)
    website: AnyHttpUrl | None = None
    domains: list[Domain] = Field(default_factory=list, max_length=20)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class NewContact(BaseModel):
    """A person to create as an individual investor, when no existing contact was chosen."""

    model_config = ConfigDict(extra="forbid")

    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: EmailStr | None = None
    contact_type: str = Field(default="prospect", max_length=64)

    @field_validator("first_name", "last_name")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class GridRowCreate(BaseModel):
    """Add an investor: exactly one of an existing organization or contact (as offered by
    `GET /api/grid/rows/match`), a new organization, or a new contact."""

    model_config = ConfigDict(extra="forbid")

    organization_id: Id | None = None
    contact_id: Id | None = None
    new_organization: NewOrganization | None = None
    new_contact: NewContact | None = None
    position: Position | None = Field(default=None, description="default: after the last row")
    flags: Flags = Field(default_factory=list)
    lead_source: str | None = Field(default=None, max_length=200)
    values: Values = Field(default_factory=dict)
    contacts: list[RowContactIn] = Field(default_factory=list, max_length=50)


class GridRowUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position: Position | None = None
    flags: Flags | None = Field(default=None, description="replaces the row's flags")
    lead_source: str | None = Field(default=None, max_length=200)
    values: Values | None = Field(
        default=None, description="merged: the keys given are set, a key set to null is removed"
    )
    contacts: list[RowContactIn] | None = Field(
        default=None, max_length=50, description="replaces the row's contacts"
    )


class RowContactRead(BaseModel):
    contact_id: str
    role: str | None


class GridRowRead(AggregateRead):
    investor_kind: InvestorKind
    organization_id: str | None
    contact_id: str | None
    position: float
    flags: list[str]
    lead_source: str | None
    values: dict[str, Any]
    contacts: list[RowContactRead]
    contact_ids: list[str] = Field(description="the CRM contacts on the row, in order")


class MatchCandidate(BaseModel):
    kind: InvestorKind
    id: str
    name: str
    matched_by: Literal["email", "domain"]
    matched_value: str
    organization_id: str | None = Field(description="the contact's primary organization")
    row_id: str | None = Field(description="the investor's grid row, when it has one")
    row_deleted: bool = False


class MatchResult(BaseModel):
    candidates: list[MatchCandidate]


class MatchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(default=None, max_length=254)
    domain: str | None = Field(default=None, max_length=500, description="or a website URL")


# -- columns ------------------------------------------------------------------------------------


class GridColumnCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Key
    label: Label
    type: FieldType = FieldType.TEXT
    options: Options = Field(default_factory=list)
    position: int | None = Field(default=None, ge=0, le=10_000)
    width: int | None = Field(default=None, ge=20, le=2000)


class GridColumnUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Label | None = None
    options: Options | None = None
    position: int | None = Field(default=None, ge=0, le=10_000)
    width: int | None = Field(default=None, ge=20, le=2000)


class GridColumnRead(AggregateRead):
    key: str
    label: str
    type: str
    options: list[Any]
    position: int
    width: int | None


# -- cells --------------------------------------------------------------------------------------


class CellChanges(BaseModel):
    """What a cell edit sets on the opportunity; `clear` removes it (a soft delete)."""

    model_config = ConfigDict(extra="forbid")

    stage: str | None = Field(default=None, max_length=64, description="a pipeline_stage value")
    expected_amount: Money | None = None
    committed_amount: Money | None = None
    funded_amount: Money | None = None
    currency: Currency | None = None
    next_step: Text | None = None
    lost_reason: str | None = Field(default=None, max_length=500)
    close_date: date | None = None
    clear: bool = Field(default=False, description="remove the opportunity (the cell is emptied)")


class CellRead(BaseModel):
    """A cell: the investor's opportunity in the fund, or an empty cell (version 0)."""

    row_id: str
    fund_id: str
    opportunity_id: str | None
    version: int = Field(description="the opportunity's version; 0 for an empty cell")
    stage: str | None
    expected_amount: Decimal | None
    committed_amount: Decimal | None
    funded_amount: Decimal | None
    currency: str | None
    next_step: str | None = None
    lost_reason: str | None = None
    close_date: date | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None


class CellOperation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["cell"]
    row_id: Id
    fund_id: Id
    version: int = Field(ge=0, description="the cell's version you read; 0 for an empty cell")
    changes: CellChanges


class RowOperation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["row"]
    row_id: Id
    version: int = Field(ge=1, description="the row's version you read")
    changes: GridRowUpdate


Operation = Annotated[CellOperation | RowOperation, Field(discriminator="type")]


class BatchCreate(BaseModel):
    """A pasted range (or any set of edits): applied all together, or not at all."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(default="", max_length=200, examples=["paste"])
    operations: list[Operation] = Field(min_length=1, max_length=5000)


class BatchRead(BaseModel):
    id: str
    label: str
    created_at: datetime
    undone_at: datetime | None
    undo_of: str | None
    cells: list[CellRead]
    rows: list[GridRowRead]


class BatchSummary(BaseModel):
    id: str
    label: str
    created_at: datetime
    undone_at: datetime | None
    undo_of: str | None
    operations: int


class BatchList(BaseModel):
    items: list[BatchSummary]


# -- the pivot ----------------------------------------------------------------------------------


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


# -- logging a communication --------------------------------------------------------------------


class RowCommunicationCreate(BaseModel):
    """The seed's log-communication: lands on the row's investor (and the fund's opportunity)."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(max_length=64, examples=["call"])
    subject: str = Field(default="", max_length=500)
    body: Text = ""
    occurred_at: UtcTimestamp
    fund_id: Id | None = Field(default=None, description="ties it to the cell's opportunity")
    contact_id: Id | None = Field(
        default=None, description="one of the row's contacts it was with (organization rows)"
    )
    attendee_ids: list[Id] = Field(default_factory=list, max_length=100)
    outcome: str | None = Field(default=None, max_length=500)
    next_action: str | None = Field(default=None, max_length=500)
    next_action_due: date | None = None
    create_follow_up: bool = False
    follow_up_owner_id: Id | None = None


class NotesPage(BaseModel):
    items: list[CommunicationRead]
    next_cursor: str | None
    total: int


# -- saved views --------------------------------------------------------------------------------

FIELD_COLUMNS = {
    "investor": "Investor",
    "contacts": "Contacts",
    "lead_source": "Lead source",
    "flags": "Flags",
    "lists": "Lists",
    "notes": "Outreach notes",
    "last_touch_at": "Last touch",
}
ColumnRef = Annotated[
    str,
    Field(
        max_length=100,
        pattern=r"^(fund:[A-Za-z0-9-]{1,36}|column:[a-z][a-z0-9_]{0,49}|field:("
        + "|".join(FIELD_COLUMNS)
        + "))$",
        examples=["field:investor", "fund:0193...", "column:region"],
        description="field:<name>, fund:<fund id> or column:<custom column key>",
    ),
]


class SortKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: FieldPath
    direction: Literal["asc", "desc"] = "asc"


class GridViewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    is_shared: bool = Field(default=False, description="shared with everyone, or personal")
    list_key: str | None = Field(
        default=None, max_length=50, description="only the rows on this list"
    )
    filters: CheckedCondition | None = Field(
        default=None, description="a condition (see docs/grid.md); null: every row"
    )
    sorts: list[SortKey] = Field(default_factory=list, max_length=5)
    columns: list[ColumnRef] | None = Field(
        default=None, max_length=200, description="visible columns in order; null: all"
    )
    group_by: FieldPath | None = None
    frozen_columns: int = Field(default=0, ge=0, le=20)
    amount_field: AmountField = AmountField.COMMITTED

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class GridViewUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    is_shared: bool | None = None
    list_key: str | None = Field(default=None, max_length=50)
    filters: CheckedCondition | None = None
    sorts: list[SortKey] | None = Field(default=None, max_length=5)
    columns: list[ColumnRef] | None = Field(default=None, max_length=200)
    group_by: FieldPath | None = None
    frozen_columns: int | None = Field(default=None, ge=0, le=20)
    amount_field: AmountField | None = None


class GridViewRead(AggregateRead):
    name: str
    owner_id: str
    is_shared: bool
    list_key: str | None
    filters: Any
    sorts: list[SortKey]
    columns: list[str] | None
    group_by: str | None
    frozen_columns: int
    amount_field: str


class GridViewFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: Literal["all", "mine", "shared"] = Field(
        default="all", description="all: your own and the shared ones"
    )
    deleted: Literal["exclude", "include", "only"] = "exclude"


class GridViewList(BaseModel):
    items: list[GridViewRead]


class GridRowFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    deleted: Literal["exclude", "include", "only"] = "exclude"
    investor_kind: InvestorKind | None = None
    organization_id: str | None = Field(default=None, max_length=36)
    contact_id: str | None = Field(default=None, max_length=36)
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=100, ge=1, le=1000)


class GridRowPage(BaseModel):
    items: list[GridRowRead]
    next_cursor: str | None


class GridColumnList(BaseModel):
    items: list[GridColumnRead]
