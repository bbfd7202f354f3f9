"""Reading an uploaded CSV: UTF-8 (a BOM is tolerated), comma or semicolon, one header row.

The upload stays where the multipart parser spooled it (memory, then disk); records are read one
at a time through a text wrapper, as often as the import needs to go over them.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, ClassVar

from crm_api.imports.errors import NotACsv, TooManyRows
from crm_api.kit.text import unguard

MAX_ROWS = 100_000
_CHUNK = 64 * 1024
_BOM = codecs.BOM_UTF8


@dataclass(frozen=True)
class CsvFile:
    """A checked upload: its header, delimiter, digest and number of records."""

    raw: IO[bytes]
    header: list[str]
    delimiter: str
    sha256: str
    size: int
    rows: int
    format: ClassVar[str] = "csv"

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Each record after the header, with the 1-based line it starts on."""
        with _text(self.raw) as text:
            reader = csv.reader(text, delimiter=self.delimiter)
            next(reader, None)
            line = reader.line_num
            for cells in reader:
                yield line + 1, [unguard(c) for c in cells]
                line = reader.line_num


class _text:
    """The upload as text, without closing the upload when done."""

    def __init__(self, raw: IO[bytes]) -> None:
        raw.seek(0)
        self.wrapper = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")

    def __enter__(self) -> io.TextIOWrapper:
        return self.wrapper

    def __exit__(self, *_: object) -> None:
        self.wrapper.detach()


def _delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def read_csv(raw: IO[bytes], *, max_rows: int = MAX_ROWS) -> CsvFile:
    """Check that `raw` is a UTF-8 CSV with a header and at most `max_rows` records.

    Raises:
        NotACsv: empty, binary (NUL bytes), not UTF-8, or malformed.
        TooManyRows: more than `max_rows` records after the header.
    """
    raw.seek(0)
    digest = hashlib.sha256()
    size = 0
    meaningful = False
    while chunk := raw.read(_CHUNK):
        if b"\x00" in chunk:
            raise NotACsv("the file holds NUL bytes: it is binary, not a CSV text file")
        digest.update(chunk)
        if not meaningful:
            meaningful = bool(
                (chunk[3:] if size == 0 and chunk.startswith(_BOM) else chunk).strip()
            )
        size += len(chunk)
    if not meaningful:
        raise NotACsv("the file is empty")

    with _text(raw) as text:
        try:
            first_line = text.readline()
            text.seek(0)
            delimiter = _delimiter(first_line)
            reader = csv.reader(text, delimiter=delimiter)
            header = [name.strip() for name in next(reader, [])]
            rows = 0
            for _ in reader:
                rows += 1
                if rows > max_rows:
                    raise TooManyRows(
                        f"an import takes at most {max_rows} rows; split the file",
                        max_rows=max_rows,
                    )
        except UnicodeDecodeError as exc:
            raise NotACsv(f"the file is not UTF-8 text (byte {exc.start})") from None
        except csv.Error as exc:
            raise NotACsv(f"line {reader.line_num}: {exc}") from None
    if not any(header):
        raise NotACsv("the first line must name the columns")
    return CsvFile(
        raw=raw,
        header=header,
        delimiter=delimiter,
        sha256=digest.hexdigest(),
        size=size,
        rows=rows,
    )
