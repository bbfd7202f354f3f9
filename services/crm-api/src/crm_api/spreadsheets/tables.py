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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import IO

from crm_api.kit import xlsx
from crm_api.kit.text import guard
from crm_api.spreadsheets.errors import NotASpreadsheet, TooManyRows

MAX_ROWS = 20_000
MAX_COLUMNS = 500


class SheetFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    SheetFormat.CSV: "text/csv; charset=utf-8",
    SheetFormat.XLSX: xlsx.MEDIA_TYPE,
}

Value = xlsx.Value


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[Value]]]  # (line in the file, cells)
    format: SheetFormat
    sha256: str


def _format_of(name: str | None, head: bytes) -> SheetFormat:
    if xlsx.looks_like_xlsx(head, filename=name):
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
        yield from enumerate(xlsx.read_rows(data), start=1)
    except xlsx.UnreadableWorkbook as exc:
        raise NotASpreadsheet(str(exc)) from None


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


def write_xlsx(header: list[str], rows: Iterable[list[Value]], *, money_columns: set[int]) -> bytes:
    return xlsx.write("Grid", header, rows, money_columns=money_columns)
