"""Spreadsheets as tables: reading an uploaded CSV or XLSX (first sheet) into a header and rows,
and writing a table out as CSV or XLSX.

CSV: UTF-8 (a BOM is tolerated), comma or semicolon. XLSX: read with openpyxl in read-only mode
(values, not formulas); numbers stay numbers, so amounts arrive exact to the cent.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import InvalidFileException

from crm_api.kit.text import guard
from crm_api.spreadsheets.errors import NotASpreadsheet, TooManyRows

MAX_ROWS = 20_000
MAX_COLUMNS = 500


class SheetFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    SheetFormat.CSV: "text/csv; charset=utf-8",
    SheetFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Value = str | int | float | Decimal | datetime | date | bool | None


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[Value]]]  # (line in the file, cells)
    format: SheetFormat
    sha256: str


def _format_of(name: str | None, head: bytes) -> SheetFormat:
    if head.startswith(b"PK\x03\x04") or (name or "").lower().endswith(".xlsx"):
        return SheetFormat.XLSX
    return SheetFormat.CSV


def read(raw: IO[bytes], *, filename: str | None) -> Table:
    """The upload as a table.

    Raises:
        NotASpreadsheet: empty, not UTF-8 CSV, not a readable XLSX, or no header.
        TooManyRows: more rows (or columns) than an import takes.
    """
    raw.seek(0)
    data = raw.read()
    digest = hashlib.sha256(data).hexdigest()
    kind = _format_of(filename, data[:4])
    lines = _xlsx_lines(data) if kind is SheetFormat.XLSX else _csv_lines(data)
    header_cells: list[Value] | None = None
    rows: list[tuple[int, list[Value]]] = []
    for number, cells in lines:
        if header_cells is None:
            if not all(_blank(c) for c in cells):
                header_cells = cells
            continue
        if all(_blank(c) for c in cells):
            continue
        rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            raise TooManyRows(f"an import takes at most {MAX_ROWS} rows", max_rows=MAX_ROWS)
    if header_cells is None:
        raise NotASpreadsheet("the file is empty: the first row must name the columns")
    header = [("" if c is None else str(c)).strip() for c in header_cells]
    if len(header) > MAX_COLUMNS:
        raise TooManyRows(f"an import takes at most {MAX_COLUMNS} columns")
    return Table(header=header, rows=rows, format=kind, sha256=digest)


def _blank(value: Value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _csv_lines(data: bytes) -> Iterator[tuple[int, list[Value]]]:
    if b"\x00" in data:
        raise NotASpreadsheet("the file holds NUL bytes: it is neither a CSV nor an XLSX")
    try:
        text = data.decode("utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8")
    except UnicodeDecodeError as exc:
        raise NotASpreadsheet(f"the file is not UTF-8 text (byte {exc.start})") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        line = 1
        for cells in reader:
            yield line, list(cells)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise NotASpreadsheet(f"line {reader.line_num}: {exc}") from None


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[Value]]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise NotASpreadsheet(f"not a readable XLSX workbook: {exc}") from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise NotASpreadsheet("the workbook has no sheet")
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_xlsx_value(v) for v in values]
    finally:
        book.close()


def _xlsx_value(value: Any) -> Value:
    if value is None or isinstance(value, str | bool | int | datetime | date | Decimal):
        return value
    if isinstance(value, float):
        return value
    return str(value)


# -- writing ------------------------------------------------------------------------------------


def write_csv(header: list[str], rows: Iterable[list[Value]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([guard(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else _csv_text(v) for v in row])
    return out.getvalue().encode("utf-8")


def _csv_text(value: Value) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return guard(value)
    return str(value)


def _text_cell(sheet: Any, text: str) -> WriteOnlyCell:
    # Control characters XLSX cannot hold are dropped; a text is stored as text, never run as a
    # formula (openpyxl would make "=..." one).
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"
    return cell


def write_xlsx(header: list[str], rows: Iterable[list[Value]], *, money_columns: set[int]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Grid")
    sheet.append([_text_cell(sheet, h) for h in header])
    for row in rows:
        cells: list[Any] = []
        for index, value in enumerate(row):
            if index in money_columns and isinstance(value, Decimal):
                # A spreadsheet adds numbers; 15 significant digits (the most an amount has)
                # survive a double exactly, so the value reads back as written.
                cells.append(float(value))
            elif isinstance(value, datetime):
                cells.append(value.replace(tzinfo=None))
            elif isinstance(value, str):
                cells.append(_text_cell(sheet, value))
            else:
                cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
