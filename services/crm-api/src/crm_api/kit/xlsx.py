"""XLSX workbooks as tables, shared by the grid's spreadsheets, the contact import and the list
exports (which sit side by side in the layers and so cannot import one another).

Reading: the first sheet, with openpyxl in read-only mode (values, not formulas); numbers stay
numbers. Writing: one sheet in write-only mode (rows go to a temporary file, not memory), every
text stored as text, never as a formula.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Container, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import InvalidFileException

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Every XLSX is a ZIP archive: its first bytes are a local file header.
SIGNATURE = b"PK\x03\x04"

Value = str | int | float | Decimal | datetime | date | bool | None


class UnreadableWorkbook(ValueError):
    """Not a readable XLSX workbook (not a ZIP, a damaged one, no sheet)."""


def looks_like_xlsx(head: bytes, *, filename: str | None, content_type: str | None = None) -> bool:
    """Whether an upload is meant as XLSX: its content first, then its name or declared type."""
    return (
        head.startswith(SIGNATURE)
        or (filename or "").lower().endswith(".xlsx")
        or (content_type or "").split(";")[0].strip().lower() == MEDIA_TYPE
    )


def read_rows(data: bytes) -> Iterator[list[Value]]:
    """The first sheet's rows, from its first row, as cell values.

    Raises:
        UnreadableWorkbook: `data` is not a readable XLSX workbook, or it has no sheet.
    """
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableWorkbook(f"not a readable XLSX workbook: {exc}") from None
    try:
        if not book.worksheets:
            raise UnreadableWorkbook("the workbook has no sheet")
        try:
            for values in book.worksheets[0].iter_rows(values_only=True):
                yield [_value(v) for v in values]
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            # A damaged sheet part fails only when its rows are read.
            raise UnreadableWorkbook(f"not a readable XLSX workbook: {exc}") from None
    finally:
        book.close()


def _value(value: Any) -> Value:
    if value is None or isinstance(value, str | bool | int | float | datetime | date | Decimal):
        return value
    return str(value)


def text_cell(sheet: Any, text: str) -> WriteOnlyCell:
    # Control characters XLSX cannot hold are dropped; a text is stored as text, never run as a
    # formula (openpyxl would make "=..." one).
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"
    return cell


class SheetWriter:
    """One sheet written a row at a time; `finish` gives the workbook's bytes."""

    def __init__(self, title: str, header: list[str]) -> None:
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(title)
        self.sheet.append([text_cell(self.sheet, h) for h in header])

    def append(self, row: list[Value], *, money_columns: Container[int] = ()) -> None:
        cells: list[Any] = []
        for index, value in enumerate(row):
            if index in money_columns and isinstance(value, Decimal):
                # A spreadsheet adds numbers; 15 significant digits (the most an amount has)
                # survive a double exactly, so the value reads back as written.
                cells.append(float(value))
            elif isinstance(value, datetime):
                # XLSX has no time zones; our times are all UTC.
                cells.append(value.replace(tzinfo=None))
            elif isinstance(value, str):
                cells.append(text_cell(self.sheet, value))
            else:
                cells.append(value)
        self.sheet.append(cells)

    def finish(self) -> bytes:
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


def write(
    title: str, header: list[str], rows: Iterable[list[Value]], *, money_columns: Container[int]
) -> bytes:
    writer = SheetWriter(title, header)
    for row in rows:
        writer.append(row, money_columns=money_columns)
    return writer.finish()
