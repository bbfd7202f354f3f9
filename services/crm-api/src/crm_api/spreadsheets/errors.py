"""Why a spreadsheet import is refused as a whole (422 problems; a file too large is a 413).

UnprocessableEntity
├── NotASpreadsheet   empty, binary, not UTF-8 CSV, not a readable XLSX workbook, no header
├── TooManyRows       more rows or columns than an import takes
├── InvalidMapping    the mapping is not JSON, or names a column or target that does not exist
└── ImportRefused     a commit whose rows have errors: carries the report, nothing is written
"""

from __future__ import annotations

from crm_common.errors import UnprocessableEntity


class NotASpreadsheet(UnprocessableEntity):
    title = "Not a CSV or XLSX spreadsheet"
    slug = "not-a-spreadsheet"


class TooManyRows(UnprocessableEntity):
    title = "Too many rows"
    slug = "too-many-rows"


class InvalidMapping(UnprocessableEntity):
    title = "Invalid column mapping"
    slug = "invalid-mapping"


class ImportRefused(UnprocessableEntity):
    title = "Import refused"
    slug = "import-refused"
