"""The import's answer: the mapping used, totals, and one compact line per row.

A row's `contact_id`, `changes` and `errors` are left out when empty, so a large import's report
stays small; the answer is built as plain JSON (these models document it).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

RowAction = Literal["create", "update", "skip", "error"]


class ImportMode(StrEnum):
    DRY_RUN = "dry_run"
    COMMIT = "commit"


class RowError(BaseModel):
    field: str = Field(description="the field (a mapping target), or `row` for the whole row")
    message: str


class ImportRow(BaseModel):
    row: int = Field(description="the line of the file the row starts on (the header is line 1)")
    action: RowAction = Field(
        description="create: a new contact; update: an existing one, matched by email (with "
        "`changes` empty when nothing differs); skip: a blank row; error: see `errors`"
    )
    contact_id: str | None = Field(default=None, description="the contact matched or created")
    changes: list[str] = Field(
        default_factory=list, description="the contact's fields an update changes"
    )
    errors: list[RowError] = Field(default_factory=list)


class ImportTotals(BaseModel):
    rows: int
    create: int
    update: int
    unchanged: int = Field(description="of the updates, those that change nothing")
    skip: int
    error: int
    organizations_created: int


class ImportReport(BaseModel):
    mode: ImportMode
    committed: bool = Field(description="whether the changes were written (commit, no errors)")
    filename: str | None
    sha256: str
    format: Literal["csv", "xlsx"] = Field(
        default="csv", description="what the upload was read as (by its content)"
    )
    delimiter: str | None = Field(description="the CSV's delimiter; null for an XLSX")
    mapping: dict[str, str] = Field(description="file column → field, as used")
    totals: ImportTotals
    rows: list[ImportRow]


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    REFUSED = "refused"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ImportJobRead(BaseModel):
    """A background import: where it has got to; its report once it is done."""

    id: str
    kind: Literal["contacts"]
    mode: ImportMode
    status: JobStatus = Field(
        description="queued, running, then succeeded; refused when rows are in error (a commit "
        "then writes nothing); failed (see `error`; slices already applied stay applied, and "
        "importing the same file again finishes the job); cancelled"
    )
    phase: Literal["check", "apply"] | None
    filename: str | None
    sha256: str
    size: int
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    rows_total: int
    rows_checked: int
    rows_applied: int
    totals: ImportTotals | None
    error_rows: list[ImportRow] = Field(
        description="the first rows in error (all of them are in the report)"
    )
    error: str | None
    report_path: str | None = Field(description="where the whole report is, once there is one")


class ImportJobPage(BaseModel):
    items: list[ImportJobRead]
    next_cursor: str | None
