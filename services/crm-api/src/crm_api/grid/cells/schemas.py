"""The shapes of cells, batches of edits and undo."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from crm_api.funds.schemas import Currency, Money
from crm_api.grid.rows.schemas import GridRowRead, GridRowUpdate
from crm_api.grid.schemas import (
    Id,
)
from crm_api.kit.schemas import Text


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
