"""Exports rendered as CSV, a JSON array or an XLSX sheet, a batch at a time, and the record that
they happened.

The first batch is read and rendered before the answer starts, so that a query the database
refuses is an error answer rather than a broken download; the rest is read lazily, with a
session of its own, while the answer streams. An XLSX is a ZIP archive, whole only once its last
row is in: its rows go to openpyxl's temporary file batch by batch, and it is sent at the end.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.communications import service as communications
from crm_api.communications.models import Communication
from crm_api.communications.schemas import CommunicationFilter, CommunicationRead
from crm_api.contacts import service as contacts
from crm_api.contacts.models import Contact
from crm_api.contacts.schemas import ContactFilter, ContactRead
from crm_api.exports import repository
from crm_api.followups import service as followups
from crm_api.followups.models import FollowUp
from crm_api.followups.schemas import FollowUpFilter, FollowUpRead
from crm_api.funds import service as funds
from crm_api.funds.models import Fund
from crm_api.funds.schemas import FundFilter, FundRead
from crm_api.interactions import service as interactions
from crm_api.kit import xlsx
from crm_api.kit.repository import Sorts
from crm_api.kit.text import guard
from crm_api.lp_profiles import service as lp_profiles
from crm_api.lp_profiles.models import LpProfile
from crm_api.lp_profiles.schemas import LpProfileFilter, LpProfileRead
from crm_api.opportunities import service as opportunities
from crm_api.opportunities.models import Opportunity
from crm_api.opportunities.schemas import OpportunityFilter, OpportunityRead
from crm_api.organizations import service as organizations
from crm_api.organizations.models import Organization
from crm_api.organizations.schemas import OrganizationFilter, OrganizationRead
from crm_common.db import Database

BATCH_SIZE = 1000
SEPARATOR = "; "


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv",
    ExportFormat.JSON: "application/json",
    ExportFormat.XLSX: xlsx.MEDIA_TYPE,
}

# The field of each item a CSV cell lists, for lists of objects (other lists are listed as is).
LIST_KEYS = {
    "emails": "email",
    "affiliations": "organization_id",
    "phones": "number",
    "k1_deliveries": "tax_year",
    "tags": "name",
}


# Not applied by an export: it reads every matching row, in batches of its own.
IGNORED = frozenset({"cursor", "limit"})

Filtered = Callable[[Session, Any], Select[Any]]


@dataclass(frozen=True)
class Source:
    """Where an aggregate's rows come from: its model, its list sorts, and the very query its
    list runs (each domain's `filtered`), so an export and a list never disagree."""

    model: Any
    sorts: Sorts
    filtered: Filtered


@dataclass(frozen=True)
class Export:
    name: str  # the path segment: "follow-ups"
    filter_schema: type[BaseModel]
    read_schema: type[BaseModel]
    to_read: Callable[[Any], BaseModel]
    source: Source

    @property
    def columns(self) -> list[str]:
        return list(self.read_schema.model_fields)


EXPORTS = (
    Export(
        "organizations",
        OrganizationFilter,
        OrganizationRead,
        organizations.to_read,
        Source(Organization, organizations.SORTS, organizations.filtered),
    ),
    Export(
        "contacts",
        ContactFilter,
        ContactRead,
        contacts.to_read,
        Source(Contact, contacts.SORTS, contacts.filtered),
    ),
    Export("funds", FundFilter, FundRead, funds.to_read, Source(Fund, funds.SORTS, funds.filtered)),
    Export(
        "opportunities",
        OpportunityFilter,
        OpportunityRead,
        opportunities.to_read,
        Source(Opportunity, opportunities.SORTS, opportunities.filtered),
    ),
    Export(
        "communications",
        CommunicationFilter,
        CommunicationRead,
        communications.to_read,
        Source(Communication, communications.SORTS, communications.filtered),
    ),
    Export(
        "follow-ups",
        FollowUpFilter,
        FollowUpRead,
        followups.to_read,
        Source(FollowUp, followups.SORTS, followups.filtered),
    ),
    Export(
        "lp-profiles",
        LpProfileFilter,
        LpProfileRead,
        lp_profiles.to_read,
        Source(LpProfile, lp_profiles.SORTS, lp_profiles.filtered),
    ),
)


def cell(field: str, value: Any) -> str:
    """One CSV cell from a JSON-mode value: lists joined with '; ', no value as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        key = LIST_KEYS.get(field)
        return SEPARATOR.join(
            cell(field, item.get(key) if key and isinstance(item, dict) else item) for item in value
        )
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return str(value)


def sheet_cell(field: str, value: Any) -> xlsx.Value:
    """One XLSX cell from a JSON-mode value: numbers and booleans as such, the rest as the CSV
    cell's text (stored as text, so never run as a formula: no guard needed)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return cell(field, value)


class Renderer:
    """Turns batches of records into the bytes of the download."""

    def __init__(self, export: Export, fmt: ExportFormat) -> None:
        self.export = export
        self.format = fmt
        self._written = 0
        self._sheet: xlsx.SheetWriter | None = None

    def start(self) -> bytes:
        if self.format is ExportFormat.JSON:
            return b"["
        if self.format is ExportFormat.XLSX:
            self._sheet = xlsx.SheetWriter(self.export.name, self.export.columns)
            return b""
        return self._csv([self.export.columns])

    def rows(self, records: Iterable[BaseModel]) -> bytes:
        if self.format is ExportFormat.JSON:
            parts = []
            for record in records:
                parts.append(("," if self._written else "") + "\n" + record.model_dump_json())
                self._written += 1
            return "".join(parts).encode()
        columns = self.export.columns
        if self._sheet is not None:
            for record in records:
                data = record.model_dump(mode="json")
                self._sheet.append([sheet_cell(c, data.get(c)) for c in columns])
                self._written += 1
            return b""
        lines = []
        for record in records:
            data = record.model_dump(mode="json")
            lines.append([guard(cell(c, data.get(c))) for c in columns])
            self._written += 1
        return self._csv(lines)

    def end(self) -> bytes:
        if self._sheet is not None:
            return self._sheet.finish()
        return b"\n]\n" if self.format is ExportFormat.JSON else b""

    @staticmethod
    def _csv(lines: list[list[str]]) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(lines)
        return buffer.getvalue().encode()


def _render(session: Session, export: Export, renderer: Renderer, rows: list[Any]) -> bytes:
    text = renderer.rows(export.to_read(row) for row in rows)
    session.expunge_all()  # a batch, once rendered, leaves memory
    return text


def _batch(
    session: Session, source: Source, filters: Any, *, after: repository.Key | None
) -> tuple[list[Any], repository.Key | None]:
    """The next batch of the rows matching `filters` (a Filter schema), in its sort order."""
    column, descending = source.sorts[filters.sort]
    return repository.batch(
        session,
        source.filtered(session, filters),
        model=source.model,
        column=column,
        descending=descending,
        after=after,
        size=BATCH_SIZE,
    )


def stream(db: Database, export: Export, filters: BaseModel, fmt: ExportFormat) -> Iterator[bytes]:
    """The download's bytes, a batch at a time. The first batch is read now; the others as the
    answer is sent, each after the key of the one before (keyset pagination)."""
    renderer = Renderer(export, fmt)
    with db.session() as session:
        rows, after = _batch(session, export.source, filters, after=None)
        first = renderer.start() + _render(session, export, renderer, rows)

    def rest() -> Iterator[bytes]:
        yield first
        if after is not None:
            key: repository.Key | None = after
            with db.session() as session:
                while key is not None:
                    rows, key = _batch(session, export.source, filters, after=key)
                    yield _render(session, export, renderer, rows)
        yield renderer.end()

    return rest()


def filters_of(export: Export, params: BaseModel) -> BaseModel:
    """The domain's Filter from the export's query (its format dropped)."""
    values = {name: getattr(params, name) for name in type(params).model_fields}
    values.pop("format", None)
    return export.filter_schema.model_validate(values)


def log(
    db: Database, *, export: Export, fmt: ExportFormat, filters: BaseModel, by: Principal
) -> None:
    """Record the export in the interaction log, in a short transaction of its own: the data
    leaves the building whether or not the download completes."""
    asked = filters.model_dump(mode="json", exclude_defaults=True, exclude=set(IGNORED))
    described = ", ".join(f"{k}={v}" for k, v in sorted(asked.items())) or "none"
    with db.transaction() as session:
        interactions.touch(
            session,
            actor=by.actor,
            action=f"export.{export.name}",
            channel=f"GET /api/export/{export.name}",
            targets=[],
            summary=f"exported {export.name} as {fmt.value}; filters: {described}",
            payload={"format": fmt.value, "filters": asked},
        )


def filename(export: Export, fmt: ExportFormat, now: datetime) -> str:
    return f"{export.name}-{now.strftime('%Y%m%dT%H%M%SZ')}.{fmt.value}"
