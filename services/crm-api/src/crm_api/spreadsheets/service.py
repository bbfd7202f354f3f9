"""A fundraising spreadsheet in and out of the grid.

Import (CSV or XLSX; investors as rows, funds as columns, amounts in cells):
- Columns are recognized by their header (any case): the row fields (Row ID, Investor/Name, Type,
  Email, Domain/Website, Lead source, Flags, Contacts), a fund's name (its amount, by default the
  committed one) or a fund's name followed by expected, committed, funded or stage, an existing
  custom column (by key or label); any other header becomes a new text column. Lists, Last
  touch and Notes (what an export adds) are ignored. `mapping` overrides any of it.
- A line's investor: the row its Row ID names; else, for an organization, the one holding the
  line's web domain (or its email's domain); for a person, the live contact with its email; else a
  new organization (or contact) is created with the line's name. Never matched by name.
- A dry run reports, per line, what a commit would create or change and every error, and writes
  nothing. A commit with any error is refused whole (422, with the report). Otherwise it goes
  through the grid's services (events, audit, interaction log) in one transaction, and is one
  batch its author can undo. Importing the same file again changes nothing; empty cells change
  nothing (an import never clears).

Export (CSV or XLSX): the rows a view selects, in its order, with the columns above, so that an
export imports back to the same grid.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.custom_fields.schemas import FieldType
from crm_api.funds.models import Fund
from crm_api.funds.schemas import Money
from crm_api.grid import cells as grid_cells
from crm_api.grid import pivot
from crm_api.grid import repository as grid_repository
from crm_api.grid import service as grid
from crm_api.grid.facts import RowFacts, money
from crm_api.grid.models import GridColumn
from crm_api.grid.schemas import (
    CellChanges,
    GridColumnCreate,
    GridRowCreate,
    GridRowUpdate,
    NewContact,
    NewOrganization,
    RowContactIn,
)
from crm_api.interactions import service as interactions
from crm_api.kit.errors import InvalidValue
from crm_api.kit.schemas import Domain
from crm_api.kit.text import unguard
from crm_api.lookups import service as lookups
from crm_api.spreadsheets import repository
from crm_api.spreadsheets.errors import ImportRefused, InvalidMapping
from crm_api.spreadsheets.schemas import ExportQuery, ImportMode
from crm_api.spreadsheets.tables import Table, Value, write_csv, write_xlsx
from crm_common.db import Database
from crm_common.errors import CRMError

FIELD_HEADERS = {
    "row id": "row_id",
    "row_id": "row_id",
    "investor": "name",
    "name": "name",
    "investor name": "name",
    "organization": "name",
    "organisation": "name",
    "lp": "name",
    "type": "kind",
    "investor type": "kind",
    "kind": "kind",
    "email": "email",
    "e-mail": "email",
    "domain": "domain",
    "website": "domain",
    "web domain": "domain",
    "lead source": "lead_source",
    "source": "lead_source",
    "flags": "flags",
    "contacts": "contacts",
}
EXPORT_ONLY = {"lists", "last touch", "notes", "outreach notes"}
SUFFIXES = {
    "expected": "expected_amount",
    "committed": "committed_amount",
    "funded": "funded_amount",
    "stage": "stage",
}
_MONEY: TypeAdapter[Decimal] = TypeAdapter(Money)
_DOMAIN: TypeAdapter[str] = TypeAdapter(Domain)
_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)
_FLAG = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
_KINDS = {
    "": "organization",
    "organization": "organization",
    "organisation": "organization",
    "org": "organization",
    "company": "organization",
    "institution": "organization",
    "contact": "contact",
    "person": "contact",
    "individual": "contact",
}


def column_key(header: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", header.casefold()).strip("_")
    if not key or not key[0].isalpha():
        key = f"c_{key}"
    return key[:50].rstrip("_")


# -- reading the columns ------------------------------------------------------------------------


def resolve_columns(
    header: list[str],
    *,
    funds: list[Fund],
    customs: list[GridColumn],
    amount_field: str,
    mapping: str | None,
) -> list[str]:
    """The target of each column: field:<name>, fund:<id>:<attr>, column:<key>,
    new_column:<key> or ignore.

    Raises:
        InvalidMapping: a mapping that is not a JSON object of header -> target, names a header
            the file lacks or a target that does not exist, or two columns for one target.
    """
    overrides: dict[str, str] = {}
    if mapping:
        try:
            parsed = json.loads(mapping)
        except ValueError as exc:
            raise InvalidMapping(f"mapping is not JSON: {exc}") from None
        if not isinstance(parsed, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()
        ):
            raise InvalidMapping("mapping is a JSON object of column header -> target")
        missing = sorted(set(parsed) - set(header))
        if missing:
            raise InvalidMapping(f"mapping names columns the file lacks: {', '.join(missing)}")
        overrides = parsed
    by_name = sorted(funds, key=lambda f: len(f.name), reverse=True)
    fund_ids = {f.id for f in funds}
    keys = {c.key for c in customs}
    labels = {c.label.casefold(): c.key for c in customs}
    targets: list[str] = []
    for raw in header:
        name = raw.strip().casefold()
        if raw in overrides:
            target = overrides[raw]
            _check_target(target, fund_ids=fund_ids, keys=keys)
        elif not name:
            target = "ignore"
        elif name in FIELD_HEADERS:
            target = f"field:{FIELD_HEADERS[name]}"
        elif name in EXPORT_ONLY:
            target = "ignore"
        else:
            target = _fund_target(name, by_name, amount_field) or ""
            if not target:
                key = labels.get(name) or (column_key(raw) if column_key(raw) in keys else None)
                target = f"column:{key}" if key else f"new_column:{column_key(raw)}"
        targets.append(target)
    used = [t for t in targets if t != "ignore"]
    twice = sorted({t for t in used if used.count(t) > 1})
    if twice:
        raise InvalidMapping(
            f"several columns map to {', '.join(twice)}; map one of them to ignore"
        )
    return targets


def _fund_target(name: str, funds: list[Fund], amount_field: str) -> str | None:
    for fund in funds:
        key = fund.name_key
        if name == key:
            return f"fund:{fund.id}:{amount_field}"
        for suffix, attr in SUFFIXES.items():
            if name in (f"{key} {suffix}", f"{key} - {suffix}", f"{key}: {suffix}"):
                return f"fund:{fund.id}:{attr}"
    return None


def _check_target(target: str, *, fund_ids: set[str], keys: set[str]) -> None:
    kind, _, rest = target.partition(":")
    valid = (
        target == "ignore"
        or (kind == "field" and rest in set(FIELD_HEADERS.values()))
        or (kind == "column" and rest in keys)
        or (kind == "new_column" and bool(re.match(r"^[a-z][a-z0-9_]{0,49}$", rest)))
    )
    if kind == "fund":
        fund_id, _, attr = rest.partition(":")
        valid = fund_id in fund_ids and attr in (*SUFFIXES.values(),)
    if not valid:
        raise InvalidMapping(f"{target!r} is not a target (see the import's documentation)")


# -- parsing values -----------------------------------------------------------------------------


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unguard(str(value).strip())


def parse_amount(value: Value) -> Decimal | None:
    """Raises ValueError for an amount that is not exact cents, or negative."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("not an amount")
    if isinstance(value, int | Decimal):
        raw = str(value)
    elif isinstance(value, float):
        raw = repr(value)
    else:
        raw = re.sub(r"[\s,$€£]", "", str(value))
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"{_text(value)!r} is not an amount") from None
    try:
        return _MONEY.validate_python(amount)
    except ValidationError as exc:
        raise ValueError(exc.errors()[0]["msg"]) from None


def _column_value(column_type: str, value: Value) -> Any:
    """A spreadsheet cell as the JSON value a custom column takes (checked by the grid after)."""
    text = _text(value)
    if not text:
        return None
    kind = FieldType(column_type)
    if kind is FieldType.NUMBER:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        number = Decimal(text.replace(",", ""))
        return int(number) if number == number.to_integral_value() else float(number)
    if kind is FieldType.DECIMAL:
        return str(value) if isinstance(value, Decimal) else text.replace(",", "")
    if kind is FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        return text.casefold() in {"true", "yes", "y", "1", "x"}
    if kind is FieldType.DATE:
        return value.date().isoformat() if isinstance(value, datetime) else text[:10]
    if kind is FieldType.MULTISELECT:
        return [part.strip() for part in re.split(r"[;,]", text) if part.strip()]
    return text


def _flags(text: str) -> list[str]:
    found = []
    for part in re.split(r"[;,]", text):
        flag = re.sub(r"[\s-]+", "_", part.strip().casefold())
        if flag:
            if not _FLAG.match(flag):
                raise ValueError(f"{part.strip()!r} is not a flag (letters, digits, _)")
            found.append(flag)
    return sorted(set(found))


def _domain(text: str) -> str | None:
    try:
        return _DOMAIN.validate_python(text)
    except ValidationError:
        return None


def _email(text: str) -> str | None:
    try:
        return _EMAIL.validate_python(text).lower()
    except ValidationError:
        return None


# -- the plan -----------------------------------------------------------------------------------


@dataclass
class Line:
    number: int
    name: str = ""
    kind: str = "organization"
    row: RowFacts | None = None
    organization_id: str | None = None
    contact_id: str | None = None
    matched_by: str | None = None
    email: str | None = None
    domains: list[str] = field(default_factory=list)
    row_fields: dict[str, Any] = field(default_factory=dict)  # GridRowUpdate fields to set
    cells: dict[str, dict[str, Any]] = field(default_factory=dict)  # fund id -> CellChanges
    changes: list[dict[str, str | None]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append({"column": column, "message": message})

    @property
    def action(self) -> str:
        if self.errors:
            return "error"
        if self.row is None:
            return "create"
        return "update" if self.changes else "unchanged"


@dataclass
class Plan:
    targets: list[str]
    header: list[str]
    lines: list[Line]
    new_columns: dict[str, str]  # key -> label


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def plan(
    session: Session,
    *,
    table: Table,
    amount_field: str,
    default_stage: str,
    mapping: str | None,
) -> Plan:
    """What importing `table` would do, line by line; writes nothing."""
    funds = grid_repository.live_funds(session)
    customs = grid_repository.columns(session)
    targets = resolve_columns(
        table.header, funds=funds, customs=customs, amount_field=amount_field, mapping=mapping
    )
    custom_types = {c.key: c.type for c in customs}
    new_columns = {
        t.removeprefix("new_column:"): h
        for t, h in zip(targets, table.header, strict=True)
        if t.startswith("new_column:")
    }
    stages = {
        key: value.value
        for value in lookups.values(session, list_name="pipeline_stage")
        for key in (value.value.casefold(), value.label.casefold())
    }
    rows = grid_repository.load_rows(session)
    by_row_id = {r.id: r for r in rows}
    by_org = {r.organization_id: r for r in rows if r.organization_id}
    by_contact = {r.contact_id: r for r in rows if r.contact_id}
    deleted = {
        r.organization_id or r.contact_id: r
        for r in grid_repository.load_rows(session, deleted="only")
    }

    raw_lines: list[tuple[int, dict[str, Value]]] = []
    for number, cells in table.rows:
        values: dict[str, Value] = {}
        for index, target in enumerate(targets):
            if target != "ignore":
                values[target] = cells[index] if index < len(cells) else None
        raw_lines.append((number, values))
    emails = {
        e
        for _, v in raw_lines
        for e in [_email(_text(v.get("field:email")))]
        + [_email(p.strip()) for p in re.split(r"[;,]", _text(v.get("field:contacts")))]
        if e
    }
    domains = {
        d
        for _, v in raw_lines
        for d in [
            *(_domain(p.strip()) for p in re.split(r"[;,]", _text(v.get("field:domain")))),
            _domain(_text(v.get("field:email")).rpartition("@")[2]),
        ]
        if d
    }
    contact_by_email = repository.contacts_by_email(session, emails)
    org_by_domain = repository.organizations_by_domain(session, domains)

    lines: list[Line] = []
    claimed: dict[str, int] = {}
    for number, values in raw_lines:
        line = Line(number=number, name=_text(values.get("field:name")))
        _resolve_investor(
            line,
            values,
            by_row_id=by_row_id,
            by_org=by_org,
            by_contact=by_contact,
            deleted=deleted,
            contact_by_email=contact_by_email,
            org_by_domain=org_by_domain,
        )
        investor = line.row.id if line.row else (line.organization_id or line.contact_id)
        if investor and not line.errors:
            if investor in claimed:
                line.error("row", f"the same investor as line {claimed[investor]}")
            claimed[investor] = number
        _plan_fields(line, values, custom_types, contact_by_email)
        _plan_cells(line, values, stages, default_stage)
        lines.append(line)
    return Plan(targets=targets, header=table.header, lines=lines, new_columns=new_columns)


def _resolve_investor(
    line: Line,
    values: dict[str, Value],
    *,
    by_row_id: dict[str, RowFacts],
    by_org: dict[str, RowFacts],
    by_contact: dict[str, RowFacts],
    deleted: dict[str | None, RowFacts],
    contact_by_email: dict[str, str],
    org_by_domain: dict[str, str],
) -> None:
    kind_text = _text(values.get("field:kind")).casefold()
    kind = _KINDS.get(kind_text)
    if kind is None:
        line.error("Type", f"{kind_text!r} is not organization or contact")
        return
    line.kind = kind
    row_id = _text(values.get("field:row_id"))
    email_text = _text(values.get("field:email"))
    line.email = _email(email_text) if email_text else None
    if email_text and line.email is None:
        line.error("Email", f"{email_text!r} is not an email address")
    for part in re.split(r"[;,]", _text(values.get("field:domain"))):
        if part.strip():
            domain = _domain(part.strip())
            if domain is None:
                line.error("Domain", f"{part.strip()!r} is not a web domain")
            elif domain not in line.domains:
                line.domains.append(domain)
    if row_id:
        row = by_row_id.get(row_id)
        if row is None:
            line.error("Row ID", f"no live grid row {row_id}")
            return
        line.row, line.matched_by = row, "row_id"
        line.kind = row.investor_kind
        line.organization_id, line.contact_id = row.organization_id, row.contact_id
        return
    if kind == "organization":
        candidates = [*line.domains]
        if line.email:
            candidates.append(line.email.rpartition("@")[2])
        for domain in candidates:
            if domain in org_by_domain:
                line.organization_id, line.matched_by = org_by_domain[domain], "domain"
                line.row = by_org.get(line.organization_id)
                break
    elif line.email and line.email in contact_by_email:
        line.contact_id, line.matched_by = contact_by_email[line.email], "email"
        line.row = by_contact.get(line.contact_id)
    investor = line.organization_id or line.contact_id
    if investor and line.row is None and investor in deleted:
        line.warnings.append("the investor's deleted row is restored")
    if line.matched_by is None:
        line.matched_by = "new"
        if not line.name:
            line.error("Investor", "no name, and no row id, email or domain that matches")
        elif kind == "contact" and len(line.name.split()) < 2:
            line.error("Investor", "a person needs a first and a last name")


def _plan_fields(
    line: Line,
    values: dict[str, Value],
    custom_types: dict[str, str],
    contact_by_email: dict[str, str],
) -> None:
    row = line.row
    if "field:lead_source" in values:
        text = _text(values["field:lead_source"]) or None
        if text is not None and (row is None or row.lead_source != text):
            line.row_fields["lead_source"] = text
            line.changes.append(
                {"target": "lead_source", "before": row.lead_source if row else None, "after": text}
            )
    if "field:flags" in values and _text(values["field:flags"]):
        try:
            flags = _flags(_text(values["field:flags"]))
        except ValueError as exc:
            line.error("Flags", str(exc))
        else:
            current = sorted(row.flags) if row else []
            if flags != current:
                line.row_fields["flags"] = flags
                line.changes.append(
                    {"target": "flags", "before": _str(current), "after": _str(flags)}
                )
    if "field:contacts" in values and _text(values["field:contacts"]):
        wanted: list[str] = []
        for part in re.split(r"[;,]", _text(values["field:contacts"])):
            email = _email(part.strip())
            if email is None:
                continue
            if email not in contact_by_email:
                line.warnings.append(f"no contact has the email {email}; not linked")
                continue
            if contact_by_email[email] not in wanted:
                wanted.append(contact_by_email[email])
        current_ids = row.contact_ids if row else []
        if wanted and wanted != current_ids:
            line.row_fields["contacts"] = [{"contact_id": c} for c in wanted]
            line.changes.append(
                {"target": "contacts", "before": _str(current_ids), "after": _str(wanted)}
            )
    given: dict[str, Any] = {}
    for target, value in values.items():
        if target.startswith(("column:", "new_column:")):
            key = target.partition(":")[2]
            try:
                parsed = _column_value(custom_types.get(key, FieldType.TEXT.value), value)
            except (ValueError, InvalidOperation):
                line.error(key, f"{_text(value)!r} does not fit the column")
                continue
            held = row.values.get(key) if row else None
            if parsed is not None and parsed != held:
                given[key] = parsed
                line.changes.append(
                    {"target": f"column:{key}", "before": _str(held), "after": _str(parsed)}
                )
    if given:
        line.row_fields["values"] = given


def _plan_cells(
    line: Line, values: dict[str, Value], stages: dict[str, str], default_stage: str
) -> None:
    by_fund: dict[str, dict[str, Any]] = {}
    for target, value in values.items():
        if not target.startswith("fund:"):
            continue
        _, fund_id, attr = target.split(":")
        if attr == "stage":
            text = _text(value)
            if not text:
                continue
            stage = stages.get(text.casefold())
            if stage is None:
                line.error(target, f"{text!r} is not a pipeline stage")
                continue
            by_fund.setdefault(fund_id, {})["stage"] = stage
            continue
        try:
            amount = parse_amount(value)
        except ValueError as exc:
            line.error(target, str(exc))
            continue
        if amount is not None:
            by_fund.setdefault(fund_id, {})[attr] = amount
    for fund_id, wanted in by_fund.items():
        cell = line.row.cells.get(fund_id) if line.row else None
        changes: dict[str, Any] = {}
        for attr, value in wanted.items():
            current: Any
            if cell is None:
                current = None
            elif attr == "stage":
                current = cell.stage
            else:
                current = money(cell.cents(attr))
            if current != value:
                changes[attr] = value
                line.changes.append(
                    {
                        "target": f"fund:{fund_id}:{attr}",
                        "before": _str(current),
                        "after": str(value),
                    }
                )
        if cell is None and changes and "stage" not in changes:
            changes["stage"] = default_stage
        if changes:
            line.cells[fund_id] = changes


# -- committing ---------------------------------------------------------------------------------


def _create_row(session: Session, line: Line, by: Principal) -> str:
    fields = {k: v for k, v in line.row_fields.items() if k in ("lead_source", "flags", "values")}
    contacts = [RowContactIn.model_validate(c) for c in line.row_fields.get("contacts", [])]
    if line.organization_id or line.contact_id:
        data = GridRowCreate(
            organization_id=line.organization_id,
            contact_id=line.contact_id,
            contacts=contacts,
            **fields,
        )
    elif line.kind == "organization":
        data = GridRowCreate(
            new_organization=NewOrganization(name=line.name, domains=line.domains),
            contacts=contacts,
            **fields,
        )
    else:
        first, _, last = line.name.partition(" ")
        data = GridRowCreate(
            new_contact=NewContact(first_name=first, last_name=last, email=line.email),
            contacts=contacts,
            **fields,
        )
    return str(grid.create_row(session, data=data, by=by)["id"])


def apply(session: Session, *, planned: Plan, by: Principal) -> str | None:
    """Apply a plan without errors; returns the id of the batch it is (None if nothing moved)."""
    for key, label in planned.new_columns.items():
        if grid_repository.column_with_key(session, key) is None:
            grid.create_column(
                session, data=GridColumnCreate(key=key, label=label[:200] or key), by=by
            )
    items: list[dict[str, Any]] = []
    for line in planned.lines:
        if line.row is None:
            row_id = _create_row(session, line, by)
        else:
            row_id = line.row.id
            if line.row_fields:
                current = grid.get_row(session, row_id=row_id)
                before = grid.row_state(current)
                after = grid.update_row(
                    session,
                    record_id=row_id,
                    data=GridRowUpdate.model_validate(line.row_fields),
                    expected_version=current.version,
                    by=by,
                )
                items.append({"type": "row", "row_id": row_id, "before": before, "after": after})
        row = grid.get_row(session, row_id=row_id)
        for fund_id, changes in line.cells.items():
            items.append(
                grid_cells.import_cell(
                    session,
                    row=row,
                    fund_id=fund_id,
                    changes=CellChanges.model_validate(changes),
                    by=by,
                )
            )
    if not items:
        return None
    return grid_cells.record_batch(session, by=by, label="import", items=items)


def report(
    planned: Plan,
    *,
    mode: ImportMode,
    committed: bool,
    table: Table,
    filename: str | None,
    batch_id: str | None,
) -> dict[str, Any]:
    lines = [
        {
            "line": line.number,
            "action": line.action,
            "investor": line.name,
            "matched_by": line.matched_by,
            "row_id": line.row.id if line.row else None,
            "changes": line.changes,
            "errors": line.errors,
            "warnings": line.warnings,
        }
        for line in planned.lines
    ]
    actions = [line.action for line in planned.lines]
    return {
        "mode": mode.value,
        "committed": committed,
        "format": table.format.value,
        "filename": filename,
        "sha256": table.sha256,
        "batch_id": batch_id,
        "columns": [
            {"header": h, "target": t} for h, t in zip(planned.header, planned.targets, strict=True)
        ],
        "totals": {
            "lines": len(actions),
            "create": actions.count("create"),
            "update": actions.count("update"),
            "unchanged": actions.count("unchanged"),
            "error": actions.count("error"),
            "cells": sum(len(line.cells) for line in planned.lines if not line.errors),
            "new_columns": len(planned.new_columns),
        },
        "lines": lines,
    }


def run_import(
    session: Session,
    *,
    table: Table,
    mode: ImportMode,
    amount_field: str,
    default_stage: str,
    mapping: str | None,
    filename: str | None,
    by: Principal,
) -> dict[str, Any]:
    """Check (and, in commit mode, apply) a spreadsheet; returns the report.

    Raises:
        ImportRefused: a commit with errors in any line (carries the report).
    """
    lookups.require(session, list_name="pipeline_stage", value=default_stage, field="default_stage")
    planned = plan(
        session,
        table=table,
        amount_field=amount_field,
        default_stage=default_stage,
        mapping=mapping,
    )
    has_errors = any(line.errors for line in planned.lines)
    if mode is ImportMode.DRY_RUN or has_errors:
        body = report(
            planned, mode=mode, committed=False, table=table, filename=filename, batch_id=None
        )
        if mode is ImportMode.COMMIT:
            raise ImportRefused(
                "some lines have errors; nothing was imported (see lines[].errors)", report=body
            )
        return body
    try:
        batch_id = apply(session, planned=planned, by=by)
    except InvalidValue as exc:
        raise ImportRefused(f"the import was refused: {exc.detail}") from exc
    except CRMError as exc:
        if exc.status >= 500:
            raise
        raise ImportRefused(f"the import was refused: {exc.detail or exc.title}") from exc
    return report(
        planned, mode=mode, committed=True, table=table, filename=filename, batch_id=batch_id
    )


# -- export -------------------------------------------------------------------------------------


def export(
    session: Session, *, query: ExportQuery, by: Principal, now: datetime
) -> tuple[list[str], list[list[Value]], set[int]]:
    """The header, the rows and which columns hold money, of the rows a view selects."""
    spec = pivot.resolve_view(session, query.view_id, by)
    funds = grid_repository.live_funds(session)
    customs = grid_repository.columns(session)
    if spec.columns is not None:
        shown = set(spec.columns)
        funds = [f for f in funds if f"fund:{f.id}" in shown]
        customs = [c for c in customs if f"column:{c.key}" in shown]
    rows = pivot.select_rows(
        session, spec=spec, list_key=query.list, q=None, deleted="exclude", now=now
    )
    by_id = {r.id: r for r in rows}
    grid_repository.load_last_touch(session, by_id)
    orgs, people = grid_repository.investors(
        session,
        organization_ids={r.organization_id for r in rows if r.organization_id},
        contact_ids={c for r in rows for c in [r.contact_id, *r.contact_ids] if c},
    )
    if query.amounts == "all":
        attrs = ["expected_amount", "committed_amount", "funded_amount"]
    else:
        attrs = [spec.amount_field]
    header = ["Row ID", "Investor", "Type", "Email", "Domain", "Lead source", "Flags", "Contacts"]
    money_columns: set[int] = set()
    fund_columns: list[tuple[str, str]] = []
    for fund in funds:
        for attr in [*attrs, "stage"]:
            suffix = attr.removesuffix("_amount")
            title = (
                fund.name
                if attr == "committed_amount" and len(attrs) == 1
                else (f"{fund.name} {suffix}")
            )
            if attr != "stage":
                money_columns.add(len(header))
            header.append(title)
            fund_columns.append((fund.id, attr))
    header += [c.label for c in customs]
    header += ["Lists", "Last touch"]
    table: list[list[Value]] = []
    for row in rows:
        if row.organization_id:
            name, domains = orgs.get(row.organization_id, (row.name, []))
            email: str | None = None
        else:
            name, email = people.get(row.contact_id or "", (row.name, None))
            domains = []
        line: list[Value] = [
            row.id,
            name,
            row.investor_kind,
            email,
            "; ".join(domains),
            row.lead_source,
            "; ".join(sorted(row.flags)),
            "; ".join(e for c in row.contact_ids if (e := people.get(c, ("", None))[1])),
        ]
        for fund_id, attr in fund_columns:
            cell = row.cells.get(fund_id)
            if cell is None:
                line.append(None)
            elif attr == "stage":
                line.append(cell.stage)
            else:
                line.append(money(cell.cents(attr)))
        for column in customs:
            value = row.values.get(column.key)
            line.append("; ".join(map(str, value)) if isinstance(value, list) else value)
        line.append("; ".join(sorted(row.lists)))
        line.append(row.last_touch_at)
        table.append(line)
    return header, table, money_columns


def render(header: list[str], rows: list[list[Value]], money_columns: set[int], fmt: str) -> bytes:
    if fmt == "xlsx":
        return write_xlsx(header, rows, money_columns=money_columns)
    return write_csv(header, rows)


def log_export(db: Database, *, query: ExportQuery, rows: int, by: Principal) -> None:
    """Record the export in the interaction log (the data leaves the building)."""
    asked = query.model_dump(mode="json", exclude_defaults=True)
    with db.transaction() as session:
        interactions.touch(
            session,
            actor=by.actor,
            action="export.grid",
            channel="GET /api/grid/export",
            targets=[("grid_view", query.view_id)] if query.view_id else [],
            summary=f"exported {rows} grid rows as {query.format.value}",
            payload=asked,
        )
