"""Reading an uploaded XLSX: the first sheet, its first row the header, read into the same
records as a CSV (crm_api.imports.csvfile), so the mapping, checks and report are the same.

A cell becomes the text a CSV of the sheet would hold: numbers without a trailing ".0", dates in
ISO 8601, booleans as true/false. Blank rows are left out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, ClassVar

from crm_api.imports.errors import NotAWorkbook, TooManyRows
from crm_api.kit import xlsx


@dataclass(frozen=True)
class XlsxFile:
    """A checked XLSX upload: its header, digest and number of records."""

    raw: IO[bytes]
    header: list[str]
    sha256: str
    size: int
    rows: int
    format: ClassVar[str] = "xlsx"
    delimiter: ClassVar[None] = None

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Each non-blank row after the header, with its row number in the sheet."""
        self.raw.seek(0)
        lines = _lines(self.raw.read())
        next(lines, None)
        yield from lines


def _text(value: xlsx.Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        # A phone number or a year typed into a cell comes back as a float.
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        for number, values in enumerate(xlsx.read_rows(data), start=1):
            cells = [_text(v) for v in values]
            while cells and not cells[-1].strip():
                cells.pop()  # a sheet's rows run as wide as its widest; a CSV's do not
            if cells:
                yield number, cells
    except xlsx.UnreadableWorkbook as exc:
        raise NotAWorkbook(str(exc)) from None


def read_xlsx(raw: IO[bytes], *, max_rows: int) -> XlsxFile:
    """Check that `raw` is an XLSX whose first sheet has a header and at most `max_rows` rows.

    Raises:
        NotAWorkbook: not a readable workbook, no sheet, or no header.
        TooManyRows: more than `max_rows` records after the header.
    """
    raw.seek(0)
    data = raw.read()
    lines = _lines(data)
    first = next(lines, None)
    if first is None or not any(c.strip() for c in first[1]):
        raise NotAWorkbook("the first sheet is empty: its first row must name the columns")
    rows = 0
    for _ in lines:
        rows += 1
        if rows > max_rows:
            raise TooManyRows(
                f"an import takes at most {max_rows} rows; split the file", max_rows=max_rows
            )
    return XlsxFile(
        raw=raw,
        header=[name.strip() for name in first[1]],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        rows=rows,
    )
