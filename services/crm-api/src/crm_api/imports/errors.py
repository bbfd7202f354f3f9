"""Why an import is refused as a whole (each is a 422 problem; a file too large is a 413).

UnprocessableEntity
├── NotACsv            empty, binary, not UTF-8, or unreadable as CSV
├── NotAWorkbook       an XLSX upload that is damaged, not a workbook, or has an empty sheet
├── TooManyRows        more rows than an import takes
├── InvalidMapping     the mapping is not JSON, names a missing column or an unknown target…
└── ImportRefused      a commit whose rows have errors: carries the report, nothing is written
"""

from __future__ import annotations

from crm_common.errors import UnprocessableEntity


class NotACsv(UnprocessableEntity):
    title = "Not a CSV file"
    slug = "not-csv"


class NotAWorkbook(UnprocessableEntity):
    title = "Not a readable XLSX workbook"
    slug = "not-xlsx"


class TooManyRows(UnprocessableEntity):
    title = "Too many rows"
    slug = "too-many-rows"


class InvalidMapping(UnprocessableEntity):
    title = "Invalid column mapping"
    slug = "invalid-mapping"


class ImportRefused(UnprocessableEntity):
    title = "Import refused"
    slug = "import-refused"
