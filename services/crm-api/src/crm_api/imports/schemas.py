"""The import's answer: the mapping used, totals, and one compact line per row.

A row's `contact_id`, `changes` and `errors` are left out when empty, so a large import's report
stays small; the answer is built as plain JSON (these models document it).
"""

from __future__ import annotations

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
    delimiter: str
    mapping: dict[str, str] = Field(description="CSV column → field, as used")
    totals: ImportTotals
    rows: list[ImportRow]
