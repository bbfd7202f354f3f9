from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crm_api.grid.schemas import AmountField
from crm_api.spreadsheets.tables import SheetFormat


class ImportMode(StrEnum):
    DRY_RUN = "dry_run"
    COMMIT = "commit"


class ColumnUse(BaseModel):
    header: str
    target: str = Field(
        description="field:<name>, fund:<fund id>:<attr> (attr: expected_amount, committed_amount, "
        "funded_amount, stage), column:<key> (an existing custom column), new_column:<key>, ignore"
    )


class LineChange(BaseModel):
    target: str = Field(description="what changes: a row field, column:<key>, fund:<id>:<attr>")
    before: str | None
    after: str | None


class LineError(BaseModel):
    column: str
    message: str


class ImportLine(BaseModel):
    line: int = Field(description="the line in the file (the header is line 1)")
    action: Literal["create", "update", "unchanged", "error"]
    investor: str = Field(description="the investor's name as read")
    matched_by: Literal["row_id", "email", "domain", "new"] | None
    row_id: str | None
    changes: list[LineChange] = Field(default_factory=list)
    errors: list[LineError] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class ImportTotals(BaseModel):
    lines: int
    create: int
    update: int
    unchanged: int
    error: int
    cells: int = Field(description="cells a commit writes")
    new_columns: int


class SheetImportReport(BaseModel):
    mode: ImportMode
    committed: bool
    format: SheetFormat
    filename: str | None
    sha256: str
    batch_id: str | None = Field(description="the commit's batch: POST /api/grid/undo undoes it")
    columns: list[ColumnUse]
    totals: ImportTotals
    lines: list[ImportLine]


class ExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: SheetFormat = SheetFormat.CSV
    view_id: str | None = Field(default=None, max_length=36, description="default: every row")
    list: str | None = Field(default=None, max_length=50)
    amounts: Literal["view", "all"] = Field(
        default="view",
        description="view: one amount column per fund (the view's amount field) and its stage; "
        "all: expected, committed and funded, and the stage",
    )


ImportAmount = AmountField
