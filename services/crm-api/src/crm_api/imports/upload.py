"""An uploaded file of contacts, CSV or XLSX, told apart by its content (an XLSX is a ZIP
archive), else by its name or declared type."""

from __future__ import annotations

from typing import IO

from crm_api.imports.csvfile import MAX_ROWS, CsvFile, read_csv
from crm_api.imports.xlsxfile import XlsxFile, read_xlsx
from crm_api.kit import xlsx

Upload = CsvFile | XlsxFile


def read_upload(
    raw: IO[bytes],
    *,
    filename: str | None,
    content_type: str | None = None,
    max_rows: int = MAX_ROWS,
) -> Upload:
    """Check the upload as whichever of CSV or XLSX it is.

    Raises:
        NotACsv, NotAWorkbook: the file cannot be read as what it is.
        TooManyRows: more than `max_rows` records after the header.
    """
    raw.seek(0)
    head = raw.read(len(xlsx.SIGNATURE))
    if xlsx.looks_like_xlsx(head, filename=filename, content_type=content_type):
        return read_xlsx(raw, max_rows=max_rows)
    return read_csv(raw, max_rows=max_rows)
